package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Tether;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Failure;
import dev.tether.api.Health;
import dev.tether.api.Outcome;
import dev.tether.api.OutlierDetection;
import dev.tether.api.SessionStatus;
import dev.tether.api.TetherConfig;
import dev.tether.core.Fixtures;
import dev.tether.core.Inspection;
import dev.tether.core.Routing;
import dev.tether.core.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class OutlierDetectionTest {
  private static final String THREE = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";
  private static final String A = "10.0.0.1:80";
  @TempDir Path dir;
  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  private void start(String... extra) {
    String[] keys = new String[extra.length + 6];
    keys[0] = "endpoints";
    keys[1] = THREE;
    keys[2] = "hashPolicy";
    keys[3] = "header:user";
    keys[4] = "maxEjectionPercent";
    keys[5] = "100";
    System.arraycopy(extra, 0, keys, 6, extra.length);
    cluster.start(keys);
  }

  private boolean ejected(String address) {
    return (Boolean) cluster.mbean(cluster.endpointName(address), "Ejected");
  }

  @Test
  void isOffUnlessConfigured() {
    cluster.start("endpoints", THREE);
    assertThat(cluster.balancer.config().outlierDetection()).isEqualTo(OutlierDetection.OFF);
    cluster.results(A, 500, 100);
    assertThat(cluster.health(A)).isEqualTo(Health.HEALTHY);
  }

  @Test
  void fiveConsecutive5xxEjectTheEndpointFromTheRing() {
    start();
    cluster.results(A, 500, 4);
    assertThat(ejected(A)).isFalse();
    cluster.results(A, 503, 1);
    assertThat(ejected(A)).isTrue();
    assertThat(cluster.health(A)).isEqualTo(Health.UNHEALTHY);
    assertThat(cluster.spread(300)).doesNotContain(A);
    assertThat(cluster.mbean(cluster.endpointName(A), "Ejections")).isEqualTo(1L);
    assertThat(cluster.mbeanAttribute("EjectedEndpointCount")).isEqualTo("1");
  }

  @Test
  void anyOtherStatusEndsTheRun() {
    start();
    cluster.results(A, 500, 4);
    cluster.results(A, 404, 1);
    cluster.results(A, 500, 4);
    assertThat(ejected(A)).isFalse();
    cluster.results(A, 500, 1);
    assertThat(ejected(A)).isTrue();
  }

  @Test
  void connectFailuresCountAs503() {
    start("consecutive5xxErrors", "0", "consecutiveGatewayErrors", "3");
    cluster.failures(A, Failure.CONNECT, 3);
    assertThat(ejected(A)).isTrue();
    assertThat(cluster.mbean(cluster.endpointName(A), "ConnectFailures")).isEqualTo(3L);
  }

  @Test
  void resetsAndTimeoutsAreGatewayErrorsToo() {
    start("consecutive5xxErrors", "0", "consecutiveGatewayErrors", "4");
    cluster.failures(A, Failure.RESET, 1);
    cluster.failures(A, Failure.TIMEOUT, 1);
    cluster.failures(A, Failure.PROTOCOL, 1);
    assertThat(ejected(A)).isFalse();
    cluster.failures(A, Failure.RESET_DURING_BODY, 1);
    assertThat(ejected(A)).isTrue();
    assertThat(cluster.mbean(cluster.endpointName(A), "Resets")).isEqualTo(3L);
    assertThat(cluster.mbean(cluster.endpointName(A), "Timeouts")).isEqualTo(1L);
  }

  @Test
  void aClientThatLeftCountsAgainstNobody() {
    start("consecutive5xxErrors", "0", "consecutiveGatewayErrors", "2");
    cluster.failures(A, Failure.CONNECT, 1);
    cluster.failures(A, Failure.CANCELLED, 5);
    cluster.failures(A, Failure.CONNECT, 1);
    assertThat(ejected(A)).as("a cancellation does not end the run, nor add to it").isTrue();
    assertThat(cluster.mbean(cluster.endpointName(A), "Failures")).isEqualTo(2L);
    assertThat(cluster.mbean(cluster.endpointName(A), "RequestsInFlight")).isEqualTo(0);
  }

  @Test
  void gatewayErrorsAre502To504Only() {
    start("consecutive5xxErrors", "0", "consecutiveGatewayErrors", "3");
    cluster.results(A, 502, 2);
    cluster.results(A, 500, 1);
    cluster.results(A, 504, 2);
    assertThat(ejected(A)).isFalse();
    cluster.results(A, 503, 1);
    assertThat(ejected(A)).isTrue();
  }

  @Test
  void theEjectionIsCarriedOutOffTheRequestPath() {
    start();
    Routing before = cluster.routing();
    Endpoint endpoint = cluster.endpoint(A);
    for (int i = 0; i < 5; i++) {
      cluster.balancer.requestStarted(endpoint);
      cluster.balancer.requestFinished(endpoint, 500);
    }
    assertThat(cluster.routing()).isSameAs(before);
    cluster.scheduler.runDue();
    assertThat(cluster.routing()).isNotSameAs(before);
    assertThat(cluster.health(A)).isEqualTo(Health.UNHEALTHY);
  }

  @Test
  void anEjectedEndpointReturnsAtTheFirstSweepAfterBaseEjectionTime() {
    start("outlierInterval", "10s", "baseEjectionTime", "30s");
    cluster.results(A, 500, 5);
    cluster.advance(Duration.ofMillis(29_999));
    assertThat(ejected(A)).isTrue();
    cluster.advance(Duration.ofMillis(1));
    assertThat(ejected(A)).isFalse();
    assertThat(cluster.spread(300)).contains(A);
  }

  @Test
  void eachEjectionInARowLastsBaseTimesItsNumber() {
    start("outlierInterval", "10s", "baseEjectionTime", "30s");
    cluster.results(A, 500, 5);
    cluster.advance(Duration.ofSeconds(30));
    assertThat(ejected(A)).isFalse();
    cluster.results(A, 500, 5);
    assertThat(ejected(A)).isTrue();
    cluster.advance(Duration.ofSeconds(59));
    assertThat(ejected(A)).isTrue();
    cluster.advance(Duration.ofSeconds(1));
    assertThat(ejected(A)).isFalse();
    assertThat(cluster.mbean(cluster.endpointName(A), "Ejections")).isEqualTo(2L);
  }

  @Test
  void theMultiplierShrinksWhileTheEndpointStaysIn() {
    start("outlierInterval", "10s", "baseEjectionTime", "30s");
    cluster.results(A, 500, 5);
    cluster.advance(Duration.ofSeconds(30));
    // In for a whole interval: the next ejection is back to one base time.
    cluster.advance(Duration.ofSeconds(10));
    cluster.results(A, 500, 5);
    cluster.advance(Duration.ofSeconds(29));
    assertThat(ejected(A)).isTrue();
    cluster.advance(Duration.ofSeconds(1));
    assertThat(ejected(A)).isFalse();
  }

  @Test
  void maxEjectionPercentCapsEjectionsAsEnvoyCountsThem() {
    // Envoy ejects only while 100 * (ejected + 1) / hosts <= max: with the default 10% and
    // three hosts, not even one.
    cluster.start("endpoints", THREE, "consecutive5xxErrors", "5");
    cluster.results(A, 500, 5);
    assertThat(ejected(A)).isFalse();
    cluster.close();

    try (TestCluster half = new TestCluster()) {
      half.start("endpoints", THREE, "consecutive5xxErrors", "5", "maxEjectionPercent", "50");
      half.results("10.0.0.1:80", 500, 5);
      half.results("10.0.0.2:80", 500, 5);
      assertThat(half.health("10.0.0.1:80")).isEqualTo(Health.UNHEALTHY);
      assertThat(half.health("10.0.0.2:80")).isEqualTo(Health.HEALTHY);
    }
  }

  @Test
  void everyEndpointEjectedAnswersNoHealthyUpstreamWithIstiosDefaultMinHealthPercent() {
    start();
    assertThat(cluster.balancer.config().panicThreshold()).isZero();
    for (String address : cluster.addresses()) {
      cluster.results(address, 500, 5);
    }
    Decision decision = cluster.balancer.route(TestRequest.get("/"));
    assertThat(decision.outcome()).isEqualTo(Outcome.NO_HEALTHY_UPSTREAM);
  }

  @Test
  void everyEndpointEjectedPanicsAndUsesAllWhenMinHealthPercentIsSet() {
    start("minHealthPercent", "50");
    assertThat(cluster.balancer.config().panicThreshold()).isEqualTo(50);
    for (String address : cluster.addresses()) {
      cluster.results(address, 500, 5);
    }
    assertThat(cluster.balancer.endpoints()).allMatch(e -> e.health() == Health.UNHEALTHY);
    assertThat(cluster.spread(300)).contains("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
  }

  @Test
  void aSessionOnAnEjectedEndpointMovesAndTheMoveIsCounted() {
    start("sessionHeader", "s");
    String pinned = Inspection.encodeHeaderSession(A);
    cluster.results(A, 500, 5);
    Decision moved = cluster.balancer.route(TestRequest.get("/").header("s", pinned));
    assertThat(moved.session()).isEqualTo(SessionStatus.UNAVAILABLE_ENDPOINT);
    assertThat(cluster.balancer.responseHeaders(moved, moved.endpoint())).hasSize(1);
    assertThat(cluster.mbeanAttribute("RePins")).isEqualTo("1");
    assertThat(cluster.mbean(cluster.endpointName(moved.endpoint().address()), "RePins"))
        .isEqualTo(1L);
  }

  @Test
  void aPassingHealthCheckReturnsAnEjectedEndpoint() {
    start("healthCheckPath", "/healthz", "healthCheckInterval", "5s", "baseEjectionTime", "5m");
    cluster.results(A, 500, 5);
    assertThat(ejected(A)).isTrue();
    cluster.advance(Duration.ofSeconds(5));
    assertThat(ejected(A)).isFalse();
    assertThat(cluster.health(A)).isEqualTo(Health.HEALTHY);
  }

  @Test
  void theDestinationRuleConfiguresItAndFlatKeysOverrideIt() throws IOException {
    Files.writeString(dir.resolve("dr.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        spec:
          trafficPolicy:
            outlierDetection:
              consecutive5xxErrors: 2
              interval: 1s
              baseEjectionTime: 3m
              maxEjectionPercent: 100
              minHealthPercent: 30
        """);
    TetherConfig fromRule = Tether.parseConfig(
        Map.of("endpoints", THREE, "destinationRule", "dr.yaml"), dir);
    assertThat(fromRule.outlierDetection()).isEqualTo(new OutlierDetection(true, 2, 0,
        Duration.ofSeconds(1), Duration.ofMinutes(3), 100, 30));
    assertThat(fromRule.panicThreshold()).isEqualTo(30);
    TetherConfig overridden = Tether.parseConfig(Map.of("endpoints", THREE,
        "destinationRule", "dr.yaml", "consecutive5xxErrors", "7", "outlierInterval", "2s"), dir);
    assertThat(overridden.outlierDetection()).isEqualTo(new OutlierDetection(true, 7, 0,
        Duration.ofSeconds(2), Duration.ofMinutes(3), 100, 30));
    TetherConfig flatOnly = Fixtures.config("endpoints", THREE, "consecutiveGatewayErrors", "4");
    assertThat(flatOnly.outlierDetection()).isEqualTo(new OutlierDetection(true, 5, 4,
        Duration.ofSeconds(10), Duration.ofSeconds(30), 10, 0));
    cluster.start(fromRule);
    cluster.results(A, 500, 2);
    assertThat(ejected(A)).isTrue();
  }

  @Test
  void badOutlierSettingsAreNamed() {
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "maxEjectionPercent", "101"))
        .hasMessage("maxEjectionPercent: 101 (expected: 0 to 100 (percent))");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "baseEjectionTime", "0s"))
        .hasMessage("baseEjectionTime: 0s (expected: a duration above zero, such as 500ms or 5s)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "consecutive5xxErrors", "-1"))
        .hasMessage("consecutive5xxErrors: -1 (expected: a whole number >= 0 (0 disables))");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "minHealthPercent", "20",
        "panicThreshold", "50"))
        .hasMessage("minHealthPercent: 20 (expected: unset, or equal to panicThreshold 50"
            + " (Istio's minHealthPercent is Envoy's panic threshold))");
    assertThat(Fixtures.config("endpoints", THREE, "consecutive5xxErrors", "3",
        "panicThreshold", "40").panicThreshold()).isEqualTo(40);
  }
}
