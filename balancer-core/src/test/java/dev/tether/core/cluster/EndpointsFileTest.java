package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Tether;
import dev.tether.api.Endpoint;
import dev.tether.api.EndpointSource;
import dev.tether.api.Health;
import dev.tether.api.Outcome;
import dev.tether.api.TetherConfig;
import dev.tether.core.CapturedLog;
import dev.tether.core.ConfigException;
import dev.tether.core.HostTable;
import dev.tether.core.Inspection;
import dev.tether.core.Routing;
import dev.tether.core.TestRequest;
import dev.tether.core.config.EndpointsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class EndpointsFileTest {
  @TempDir Path dir;
  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void aYamlFileListsEndpointsWithTheirAttributesSortedByAddress() throws IOException {
    write("eps.yaml", """
        - address: 10.0.0.2:8080
          weight: 3
          hashKey: b
          locality: zone-b
          priority: 1
          health: DRAINING
        - {host: "2001:DB8::1", port: 8080}
        - 10.0.0.1:8080;weight=2;health=degraded
        """);
    TetherConfig config = Tether.parseConfig(java.util.Map.of("endpoints", "file:eps.yaml"), dir);
    assertThat(config.endpointSource()).isEqualTo(EndpointSource.file(
        dir.resolve("eps.yaml").toAbsolutePath().toString(), Duration.ofSeconds(1)));
    assertThat(config.endpoints()).containsExactly(
        new Endpoint("10.0.0.1", 8080, 2, "", "", 0, Health.DEGRADED),
        new Endpoint("10.0.0.2", 8080, 3, "b", "zone-b", 1, Health.DRAINING),
        new Endpoint("2001:db8::1", 8080, 1, "", "", 0, Health.HEALTHY));
  }

  @Test
  void aJsonFileWithAnEndpointsListWorksToo() throws IOException {
    write("eps.json", """
        {"endpoints": [{"address": "10.0.0.9:80", "weight": 2}, {"address": "10.0.0.8:80"}]}
        """);
    cluster.start(dir, "endpoints", "file:eps.json");
    assertThat(cluster.balancer.endpoints()).extracting(Endpoint::address, Endpoint::weight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.0.8:80", 1),
            org.assertj.core.groups.Tuple.tuple("10.0.0.9:80", 2));
  }

  @Test
  void theFileIsReadAgainWhenItChanges() throws IOException {
    write("eps.yaml", "[10.0.0.1:80, 10.0.0.2:80]");
    cluster.start(dir, "endpoints", "file:eps.yaml", "fileRefreshRate", "3s",
        "hashPolicy", "header:user");
    Routing before = cluster.routing();
    write("eps.yaml", "[10.0.0.1:80, 10.0.0.2:80, 10.0.0.3:80]");
    cluster.advance(Duration.ofSeconds(2));
    assertThat(cluster.routing()).isSameAs(before);
    cluster.advance(Duration.ofSeconds(1));
    assertThat(cluster.addresses()).containsExactly("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
    assertThat(cluster.spread(300)).contains("10.0.0.3:80");
  }

  @Test
  void aBrokenFileKeepsTheLastGoodSetAndSaysWhy() throws IOException {
    write("eps.yaml", "[10.0.0.1:80, 10.0.0.2:80]");
    try (CapturedLog log = new CapturedLog(ClusterRuntime.class)) {
      cluster.start(dir, "endpoints", "file:eps.yaml");
      write("eps.yaml", "[10.0.0.1:80, 10.0.0.2:80");
      cluster.advance(Duration.ofSeconds(1));
      assertThat(cluster.addresses()).containsExactly("10.0.0.1:80", "10.0.0.2:80");
      String error = cluster.mbeanAttribute("LastDiscoveryError");
      assertThat(error).startsWith("not valid YAML or JSON (")
          .endsWith("; keeping the last good set of 2 endpoints");
      cluster.advance(Duration.ofSeconds(5));
      assertThat(log.messages()).filteredOn(m -> m.contains("not valid YAML")).hasSize(1)
          .allMatch(m -> m.startsWith("WARNING "));

      write("eps.yaml", "- address: 10.0.0.1:80\n  weight: 0\n");
      cluster.advance(Duration.ofSeconds(1));
      assertThat(cluster.mbeanAttribute("LastDiscoveryError"))
          .contains("item 1.weight: 0 (expected: 1 to 2147483647)");
      Files.delete(dir.resolve("eps.yaml"));
      cluster.advance(Duration.ofSeconds(1));
      assertThat(cluster.mbeanAttribute("LastDiscoveryError")).contains("cannot be read");
      assertThat(cluster.addresses()).containsExactly("10.0.0.1:80", "10.0.0.2:80");

      write("eps.yaml", "[10.0.0.2:80]");
      cluster.advance(Duration.ofSeconds(1));
      assertThat(cluster.addresses()).containsExactly("10.0.0.2:80");
      assertThat(cluster.mbeanAttribute("LastDiscoveryError")).isEmpty();
    }
  }

  @Test
  void restoringTheLastGoodContentClearsTheError() throws IOException {
    write("eps.yaml", "[10.0.0.1:80]");
    cluster.start(dir, "endpoints", "file:eps.yaml");
    Files.delete(dir.resolve("eps.yaml"));
    cluster.advance(Duration.ofSeconds(1));
    assertThat(cluster.mbeanAttribute("LastDiscoveryError")).isNotEmpty();
    write("eps.yaml", "[10.0.0.1:80]");
    cluster.advance(Duration.ofSeconds(1));
    assertThat(cluster.mbeanAttribute("LastDiscoveryError")).isEmpty();
  }

  @Test
  void replicasReadingTheSameSetInAnotherOrderBuildIdenticalRings() throws IOException {
    // Weights 2:3:5 at the default ring size: the ring builder's running sums give one host 307
    // or 308 entries depending on the order the hosts come in.
    write("a.yaml", "[10.0.0.1:80;weight=2, 10.0.0.2:80;weight=3, 10.0.0.3:80;weight=5]");
    write("b.yaml", "[10.0.0.3:80;weight=5, 10.0.0.1:80;weight=2, 10.0.0.2:80;weight=3]");
    try (TestCluster other = new TestCluster()) {
      cluster.start(dir, "endpoints", "file:a.yaml", "hashPolicy", "header:user");
      other.start(dir, "endpoints", "file:b.yaml", "hashPolicy", "header:user");
      HostTable a = cluster.routing().tableOf(cluster.endpoint("10.0.0.1:80"));
      HostTable b = other.routing().tableOf(other.endpoint("10.0.0.1:80"));
      assertThat(a.size()).isEqualTo(b.size());
      for (String address : List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80")) {
        assertThat(a.entries(cluster.endpoint(address)))
            .isEqualTo(b.entries(other.endpoint(address)));
      }
      Inspection.RingEntries ringA = Inspection.ringEntries(a);
      Inspection.RingEntries ringB = Inspection.ringEntries(b);
      for (int i = 0; i < a.size(); i++) {
        assertThat(ringA.hashes()[i]).isEqualTo(ringB.hashes()[i]);
      }
      assertThat(cluster.spread(1000)).isEqualTo(other.spread(1000));
    }
  }

  @Test
  void anEmptyListAnswersNoHealthyUpstream() throws IOException {
    write("eps.yaml", "[10.0.0.1:80]");
    cluster.start(dir, "endpoints", "file:eps.yaml");
    write("eps.yaml", "[]");
    cluster.advance(Duration.ofSeconds(1));
    assertThat(cluster.balancer.endpoints()).isEmpty();
    assertThat(cluster.balancer.route(TestRequest.get("/")).outcome())
        .isEqualTo(Outcome.NO_HEALTHY_UPSTREAM);
  }

  @Test
  void aFileThatCannotBeUsedAtStartIsAConfigurationError() throws IOException {
    assertThatThrownBy(() -> Tether.parseConfig(java.util.Map.of("endpoints", "file:none.yaml"), dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("endpoints: file:none.yaml (expected: file:PATH naming a YAML or"
            + " JSON list of endpoints; " + dir.resolve("none.yaml") + ": cannot be read");
    write("broken.yaml", "- address: [10.0.0.1:80\n");
    assertThatThrownBy(() -> Tether.parseConfig(java.util.Map.of("endpoints", "file:broken.yaml"), dir))
        .hasMessageContaining(": not valid YAML or JSON (");
    write("scalar.yaml", "10.0.0.1:80\n");
    assertThatThrownBy(() -> Tether.parseConfig(java.util.Map.of("endpoints", "file:scalar.yaml"), dir))
        .hasMessageContaining(": expected a list of endpoints (or endpoints: [...]), found string 10.0.0.1:80)");
    write("empty.yaml", "");
    assertThatThrownBy(() -> Tether.parseConfig(java.util.Map.of("endpoints", "file:empty.yaml"), dir))
        .hasMessageContaining("found an empty document");
  }

  @Test
  void badEntriesAreNamedByItemAndField() {
    assertThat(problem("[10.0.0.1:80, 10.0.0.1:80]")).isEqualTo("item 2: 10.0.0.1:80 is listed twice");
    assertThat(problem("[{address: 10.0.0.1:80, wieght: 2}]"))
        .isEqualTo("item 1: unknown field wieght (expected: address, hashKey, health, host,"
            + " locality, port, priority, weight)");
    assertThat(problem("[{address: 10.0.0.1:80, health: SICK}]"))
        .isEqualTo("item 1.health: SICK (expected: UNKNOWN, HEALTHY, DEGRADED, UNHEALTHY or DRAINING)");
    assertThat(problem("[{host: 10.0.0.1}]")).isEqualTo("item 1.port: missing (expected: a whole number >= 0)");
    assertThat(problem("[{address: 10.0.0.1}]"))
        .isEqualTo("item 1.address: 10.0.0.1 (expected: host:port (IPv6 in brackets: [2001:db8::1]:8080))");
    assertThat(problem("[{address: 10.0.0.1:80, host: a}]"))
        .isEqualTo("item 1: address, or host and port, not both");
    assertThat(problem("[[1, 2]]")).startsWith("item 1: expected a mapping");
    assertThat(problem("[\"10.0.0.1:80;weight=x\"]"))
        .isEqualTo("item 1: 10.0.0.1:80;weight=x (expected: weight=N with N >= 1)");
  }

  private static String problem(String content) {
    try {
      EndpointsFile.parse(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      throw new AssertionError("accepted " + content);
    } catch (EndpointsFile.InvalidFile e) {
      return e.getMessage();
    }
  }

  private void write(String name, String content) throws IOException {
    Path target = dir.resolve(name);
    Path temp = dir.resolve(name + ".tmp");
    Files.writeString(temp, content);
    Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
