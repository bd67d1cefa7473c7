package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.api.SessionStatus;
import dev.tether.api.TetherConfig;
import dev.tether.core.Fixtures;
import dev.tether.core.Inspection;
import dev.tether.core.TestRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class HealthCheckTest {
  private static final String THREE = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";
  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void withoutAPathNothingIsChecked() {
    cluster.start("endpoints", THREE);
    cluster.advance(Duration.ofMinutes(5));
    assertThat(cluster.checked).isEmpty();
    assertThat(cluster.scheduler.pending()).isZero();
  }

  @Test
  void everyEndpointIsCheckedOnItsPathEveryInterval() {
    cluster.start("endpoints", THREE, "healthCheckPath", "/healthz", "healthCheckInterval", "5s");
    assertThat(cluster.checked)
        .containsExactly("10.0.0.1:80/healthz", "10.0.0.2:80/healthz", "10.0.0.3:80/healthz");
    cluster.advance(Duration.ofMillis(4999));
    assertThat(cluster.checked).hasSize(3);
    cluster.advance(Duration.ofMillis(1));
    assertThat(cluster.checked).hasSize(6);
    cluster.advance(Duration.ofSeconds(10));
    assertThat(cluster.checked).hasSize(12);
  }

  @Test
  void anEndpointIsUnhealthyUntilAFirstCheckPasses() {
    cluster.checks.put("10.0.0.2:80", HealthProbe.Result.NETWORK_FAILURE);
    cluster.start("endpoints", THREE, "healthCheckPath", "/healthz", "healthyThreshold", "2",
        "hashPolicy", "header:user");
    assertThat(cluster.health("10.0.0.1:80")).isEqualTo(Health.HEALTHY);
    assertThat(cluster.health("10.0.0.2:80")).isEqualTo(Health.UNHEALTHY);
    assertThat(cluster.spread(200)).doesNotContain("10.0.0.2:80");
    cluster.checks.remove("10.0.0.2:80");
    // Its first check failed, so it needs healthyThreshold passes now.
    cluster.advance(Duration.ofSeconds(10));
    assertThat(cluster.health("10.0.0.2:80")).isEqualTo(Health.UNHEALTHY);
    cluster.advance(Duration.ofSeconds(10));
    assertThat(cluster.health("10.0.0.2:80")).isEqualTo(Health.HEALTHY);
    assertThat(cluster.spread(200)).contains("10.0.0.2:80");
  }

  @Test
  void networkFailuresCountUpToTheUnhealthyThreshold() {
    cluster.start("endpoints", THREE, "healthCheckPath", "/healthz", "unhealthyThreshold", "3");
    cluster.checks.put("10.0.0.3:80", HealthProbe.Result.NETWORK_FAILURE);
    cluster.advance(Duration.ofSeconds(20));
    assertThat(cluster.health("10.0.0.3:80")).isEqualTo(Health.HEALTHY);
    cluster.checks.remove("10.0.0.3:80");
    cluster.advance(Duration.ofSeconds(10));
    cluster.checks.put("10.0.0.3:80", HealthProbe.Result.NETWORK_FAILURE);
    // The pass reset the run: two more failures are not enough.
    cluster.advance(Duration.ofSeconds(20));
    assertThat(cluster.health("10.0.0.3:80")).isEqualTo(Health.HEALTHY);
    cluster.advance(Duration.ofSeconds(10));
    assertThat(cluster.health("10.0.0.3:80")).isEqualTo(Health.UNHEALTHY);
  }

  @Test
  void aBadStatusIsUnhealthyAtOnceAsInEnvoy() {
    cluster.start("endpoints", THREE, "healthCheckPath", "/healthz", "unhealthyThreshold", "5");
    cluster.checks.put("10.0.0.1:80", HealthProbe.Result.BAD_STATUS);
    cluster.advance(Duration.ofSeconds(10));
    assertThat(cluster.health("10.0.0.1:80")).isEqualTo(Health.UNHEALTHY);
    assertThat(cluster.mbean(cluster.endpointName("10.0.0.1:80"), "FailingHealthChecks"))
        .isEqualTo(true);
  }

  @Test
  void aFailingEndpointLosesItsSessionsAndGetsThemBackWhenHealthy() {
    cluster.start("endpoints", THREE, "healthCheckPath", "/healthz", "sessionHeader", "s");
    String pinned = Inspection.encodeHeaderSession("10.0.0.2:80");
    cluster.checks.put("10.0.0.2:80", HealthProbe.Result.BAD_STATUS);
    cluster.advance(Duration.ofSeconds(10));
    Decision moved = cluster.balancer.route(TestRequest.get("/").header("s", pinned));
    assertThat(moved.session()).isEqualTo(SessionStatus.UNAVAILABLE_ENDPOINT);
    assertThat(moved.endpoint().address()).isNotEqualTo("10.0.0.2:80");
    cluster.checks.remove("10.0.0.2:80");
    cluster.advance(Duration.ofSeconds(10));
    assertThat(cluster.balancer.route(TestRequest.get("/").header("s", pinned)).endpoint().address())
        .isEqualTo("10.0.0.2:80");
  }

  @Test
  void addressesDnsAddsAreCheckedBeforeTheyTakeTraffic() {
    cluster.dns.put("web", List.of("10.0.0.1"));
    cluster.start("endpoints", "dns:web:80", "healthCheckPath", "/ready");
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2"));
    cluster.checks.put("10.0.0.2:80", HealthProbe.Result.NETWORK_FAILURE);
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.checked).contains("10.0.0.2:80/ready");
    assertThat(cluster.health("10.0.0.2:80")).isEqualTo(Health.UNHEALTHY);
    cluster.dns.put("web", List.of("10.0.0.1"));
    cluster.advance(Duration.ofSeconds(5));
    int checks = cluster.checked.size();
    cluster.advance(Duration.ofMinutes(1));
    assertThat(cluster.checked.subList(checks, cluster.checked.size()))
        .doesNotContain("10.0.0.2:80/ready");
  }

  @Test
  void httpChecksPassOnlyOn200AndTimeOut() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Map<String, String> agents = new ConcurrentHashMap<>();
    server.createContext("/healthz", exchange -> {
      agents.put("ua", exchange.getRequestHeaders().getFirst("User-Agent"));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.createContext("/starting", exchange -> {
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
    });
    server.start();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      HttpHealthProbe probe = new HttpHealthProbe();
      Endpoint backend = Endpoint.of("127.0.0.1", server.getAddress().getPort());
      Duration timeout = Duration.ofSeconds(5);
      assertThat(probe.check(backend, "/healthz", timeout)).isEqualTo(HealthProbe.Result.PASSED);
      assertThat(agents).containsEntry("ua", HttpHealthProbe.USER_AGENT);
      assertThat(probe.check(backend, "/starting", timeout)).isEqualTo(HealthProbe.Result.BAD_STATUS);
      assertThat(probe.check(backend, "/missing", timeout)).isEqualTo(HealthProbe.Result.BAD_STATUS);
      int closedPort;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closedPort = s.getLocalPort();
      }
      assertThat(probe.check(Endpoint.of("127.0.0.1", closedPort), "/healthz", timeout))
          .isEqualTo(HealthProbe.Result.NETWORK_FAILURE);
      long start = System.nanoTime();
      assertThat(probe.check(Endpoint.of("127.0.0.1", silent.getLocalPort()), "/healthz",
          Duration.ofMillis(300))).isEqualTo(HealthProbe.Result.NETWORK_FAILURE);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    } finally {
      server.stop(0);
    }
    assertThat(HttpHealthProbe.status("HTTP/1.1 204 No Content")).isEqualTo(204);
    assertThat(HttpHealthProbe.status("HTTP/2 200")).isEqualTo(-1);
    assertThat(HttpHealthProbe.status("garbage")).isEqualTo(-1);
  }

  @Test
  void aStartedBalancerHasAlreadyCheckedItsEndpointsOnThreadsOfItsOwn() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/healthz", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    int port = server.getAddress().getPort();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    TetherConfig config = Fixtures.config("endpoints", "127.0.0.1:" + port + ",127.0.0.1:" + closedPort,
        "healthCheckPath", "/healthz", "healthCheckTimeout", "2s", "name", "health-threads");
    ClusterEnvironment production = ClusterEnvironment.production(config, TestCluster.CLOCK, () -> 1L);
    HttpHealthProbe http = new HttpHealthProbe();
    ClusterEnvironment env = new ClusterEnvironment(production.clock(), production.random(),
        production.scheduler(), production.healthScheduler(), production.resolver(),
        (endpoint, path, timeout) -> {
          threads.add(Thread.currentThread().getName());
          return http.check(endpoint, path, timeout);
        }, MBeanServerFactory.newMBeanServer(), production.healthWarmup());
    try (Balancer balancer = ClusterRuntime.start(config, env)) {
      // No polling: start() waits for the first round, as Envoy warms a cluster.
      assertThat(balancer.endpoints()).extracting(Endpoint::health)
          .containsExactly(Health.HEALTHY, Health.UNHEALTHY);
      assertThat(threads).isNotEmpty().allMatch(name -> name.startsWith("tether-health-threads-health-"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void healthCheckSettingsAreCheckedWithTheirKey() {
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "healthCheckInterval", "5s"))
        .hasMessage("healthCheckInterval: 5s (expected: unset unless healthCheckPath is set)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "healthCheckPath", "healthz"))
        .hasMessage("healthCheckPath: healthz (expected: a path starting with /, without spaces or"
            + " control characters, e.g. /healthz)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "healthCheckPath", "/h",
        "healthyThreshold", "0")).hasMessage("healthyThreshold: 0 (expected: a whole number >= 1)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "healthCheckPath", "/h",
        "healthCheckTimeout", "0s"))
        .hasMessage("healthCheckTimeout: 0s (expected: a duration above zero, such as 500ms or 5s)");
    TetherConfig config = Fixtures.config("endpoints", THREE, "healthCheckPath", "/h");
    assertThat(config.healthCheck()).isEqualTo(new dev.tether.api.HealthCheck("/h",
        Duration.ofSeconds(10), Duration.ofSeconds(1), 1, 3));
  }
}
