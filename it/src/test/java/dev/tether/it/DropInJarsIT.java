package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.it.harness.Layout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the two drop-in jars carry, read from the artifacts users get (the Jetty overlay's
 * {@code lib/tether/} jar inside the dist zip, the valve jar): dnsjava relocated under
 * {@code dev.tether.shaded.dnsjava} and nothing of it left at {@code org/xbill}; none of its
 * service files, which would install dnsjava as the JDK's resolver for the whole container
 * ({@code java.net.spi.InetAddressResolverProvider}, {@code sun.net.spi.nameservice}); the
 * valve's SLF4J relocated with its one provider, Jetty's jar none (Jetty has its own).
 */
final class DropInJarsIT {

  @Test
  void theJettyJarCarriesDnsjavaRelocatedAndNoneOfItsProviders() throws IOException {
    List<String> entries;
    try (ZipFile dist = new ZipFile(Layout.jettyDist().toFile())) {
      ZipEntry jar = dist.stream()
          .filter(e -> e.getName().startsWith("lib/tether/") && e.getName().endsWith(".jar"))
          .findFirst().orElseThrow();
      try (InputStream in = dist.getInputStream(jar)) {
        entries = entries(new ByteArrayInputStream(in.readAllBytes()));
      }
    }
    assertRelocated(entries);
    assertThat(entries).noneMatch(e -> e.startsWith("org/slf4j/"))
        .noneMatch(e -> e.startsWith("dev/tether/shaded/slf4j/"));
    assertThat(entries).filteredOn(e -> e.startsWith("META-INF/services/") && !e.endsWith("/"))
        .containsExactly("META-INF/services/org.eclipse.jetty.xml.ConfigurationProcessorFactory");
  }

  @Test
  void theValveJarCarriesDnsjavaAndSlf4jRelocatedAndNoneOfDnsjavasProviders() throws IOException {
    List<String> entries;
    try (InputStream in = java.nio.file.Files.newInputStream(Layout.tomcatJar())) {
      entries = entries(in);
    }
    assertRelocated(entries);
    assertThat(entries).noneMatch(e -> e.startsWith("org/slf4j/"))
        .contains("dev/tether/shaded/slf4j/LoggerFactory.class",
            "dev/tether/shaded/slf4j/jul/JULServiceProvider.class");
    assertThat(entries).filteredOn(e -> e.startsWith("META-INF/services/") && !e.endsWith("/"))
        .containsExactly("META-INF/services/dev.tether.shaded.slf4j.spi.SLF4JServiceProvider");
  }

  private static void assertRelocated(List<String> entries) {
    assertThat(entries).contains("dev/tether/shaded/dnsjava/Lookup.class",
        "dev/tether/shaded/dnsjava/SimpleResolver.class",
        "dev/tether/shaded/dnsjava/hosts/HostsFileParser.class",
        "dev/tether/shaded/dnsjava/config/ResolvConfResolverConfigProvider.class");
    assertThat(entries)
        .noneMatch(e -> e.startsWith("org/xbill/"))
        .noneMatch(e -> e.startsWith("META-INF/versions/"))
        .noneMatch(e -> e.startsWith("dev/tether/shaded/dnsjava/spi/"))
        .noneMatch(e -> e.contains("InetAddressResolverProvider"))
        .noneMatch(e -> e.contains("nameservice"))
        .doesNotContain("messages.properties");
  }

  private static List<String> entries(InputStream jar) throws IOException {
    List<String> names = new ArrayList<>();
    try (JarInputStream in = new JarInputStream(jar)) {
      for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
        names.add(entry.getName());
      }
    }
    return names;
  }
}
