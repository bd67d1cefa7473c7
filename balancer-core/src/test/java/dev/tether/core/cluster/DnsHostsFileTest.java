package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS discovery on real name resolution, without a DNS server: a forked JVM resolves through the
 * JDK's own resolver ({@code dnsResolvers=jvm}), pointed at a hosts file with {@code -Djdk.net.hosts.file}, with the JVM's
 * DNS cache off ({@code -Dsun.net.inetaddr.ttl=0}, as the README tells users to set it, and
 * {@code networkaddress.cache.negative.ttl=0} through {@code -Djava.security.properties}). The test
 * rewrites the file and waits, with a deadline, for the child to report the new set.
 */
final class DnsHostsFileTest {
  @TempDir Path dir;

  @Test
  void aDnsSourceFollowsTheJdkResolverAsItsAnswersChange() throws Exception {
    Path hosts = dir.resolve("hosts");
    write(hosts, "10.1.2.4 backend.tether.test\n10.1.2.3 backend.tether.test\n");
    // java.security caches failed lookups for 10s (networkaddress.cache.negative.ttl, which
    // wins over -Dsun.net.inetaddr.negative.ttl): a properties file appended to it turns that off.
    Path security = dir.resolve("dns.security");
    Files.writeString(security, "networkaddress.cache.negative.ttl=0\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
        "-Djdk.net.hosts.file=" + hosts, "-Dsun.net.inetaddr.ttl=0",
        "-Djava.security.properties=" + security, "-cp", classPath, DnsHostsFileMain.class.getName())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("read failed: " + e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      assertThat(next(lines)).isEqualTo("missing NO_HEALTHY_UPSTREAM");
      assertThat(next(lines)).isEqualTo("endpoints [10.1.2.3:8080, 10.1.2.4:8080]");

      write(hosts, "10.1.2.5 backend.tether.test\nfd00:0:0::7 backend.tether.test\n"
          + "10.1.2.4 backend.tether.test\n");
      assertThat(next(lines))
          .isEqualTo("endpoints [10.1.2.4:8080, 10.1.2.5:8080, [fd00::7]:8080]");

      write(hosts, "10.9.9.9 other.tether.test\n");
      assertThat(next(lines))
          .startsWith("endpoints [10.1.2.4:8080, 10.1.2.5:8080, [fd00::7]:8080] error cannot"
              + " resolve backend.tether.test (")
          .endsWith("); keeping the last 3 endpoints");

      write(hosts, "10.1.2.6 backend.tether.test\n");
      String line = next(lines);
      // The JDK words its failure differently from one lookup to the next, and the child may read
      // the error an instant before the set that clears it lands: skip lines that still carry
      // an error. A line without one must already show the new set.
      while (line.contains(" error ")) {
        line = next(lines);
      }
      assertThat(line).isEqualTo("endpoints [10.1.2.6:8080]");
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(5, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private static String next(BlockingQueue<String> lines) throws InterruptedException {
    String line = lines.poll(20, TimeUnit.SECONDS);
    assertThat(line).as("a line from the child within 20s").isNotNull();
    return line;
  }

  private static void write(Path file, String content) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, content);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

}
