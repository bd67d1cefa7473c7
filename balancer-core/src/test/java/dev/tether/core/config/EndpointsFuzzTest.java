package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.api.Endpoint;
import dev.tether.core.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzz targets for the endpoint list: the {@code endpoints} key's syntax and the endpoints file
 * (YAML or JSON). Bad input must stop startup with {@code key: value (expected: ...)}, and never
 * with another exception; what is accepted must be a usable endpoint set.
 */
final class EndpointsFuzzTest {
  private static final Path FILE = tempFile();

  /**
   * The input, as UTF-8, is the {@code endpoints} value. It is a list of distinct addresses with
   * ports 1 to 65535 and weights adding up to at most 2^32 - 1, each of which reads back the
   * same when written in the key's syntax, or a {@link ConfigException} naming the key.
   */
  @FuzzTest
  void endpointList(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    List<Endpoint> endpoints;
    try {
      endpoints = EndpointSyntax.parseList("endpoints", text);
    } catch (ConfigException e) {
      ConfigMessages.check(e, "endpoints");
      return;
    }
    checkSet(endpoints);
    for (Endpoint endpoint : endpoints) {
      assertThat(EndpointSyntax.parse("endpoints", spec(endpoint))).isEqualTo(endpoint);
      Endpoint bare = EndpointSyntax.parse("endpoints", endpoint.address());
      assertThat(bare.address()).isEqualTo(endpoint.address());
    }
  }

  /**
   * The input is an endpoints file's content. At startup it gives a set sorted by address, or a
   * {@link ConfigException} on the {@code endpoints} key.
   */
  @FuzzTest
  void endpointsFile(byte[] data) throws IOException {
    Files.write(FILE, data);
    List<Endpoint> endpoints;
    try {
      endpoints = EndpointsFile.readAtStartup("file:endpoints.yaml", FILE);
    } catch (ConfigException e) {
      ConfigMessages.check(e, "endpoints");
      return;
    }
    checkSet(endpoints);
    assertThat(endpoints).isSortedAccordingTo(EndpointsFile.BY_ADDRESS);
  }

  private static void checkSet(List<Endpoint> endpoints) {
    Set<String> addresses = new HashSet<>();
    long weights = 0;
    for (Endpoint endpoint : endpoints) {
      assertThat(addresses.add(endpoint.address())).as("listed once: %s", endpoint).isTrue();
      assertThat(endpoint.port()).isBetween(1, 65535);
      assertThat(endpoint.weight()).isPositive();
      assertThat(endpoint.priority()).isBetween(0, 127);
      weights += endpoint.weight();
    }
    assertThat(weights).isLessThanOrEqualTo(0xFFFFFFFFL);
  }

  /** The endpoint in the {@code endpoints} key's syntax, every attribute spelled out. */
  private static String spec(Endpoint e) {
    return e.address() + ";weight=" + e.weight()
        + (e.hashKey().isEmpty() ? "" : ";hashKey=" + e.hashKey())
        + ";locality=" + e.locality() + ";priority=" + e.priority() + ";health=" + e.health();
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("tether-fuzz-endpoints", ".yaml");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
