package dev.tether.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link TetherConfig#builder()}: named defaults, and the rules {@code build()} checks. */
final class TetherConfigBuilderTest {
  private static final List<Endpoint> ONE = List.of(Endpoint.of("10.0.0.1", 80));

  private static TetherConfig.Builder one() {
    return TetherConfig.builder().endpoints(ONE);
  }

  @Test
  void everyFieldStartsAtItsNamedDefaultAndOffIsAnExplicitValue() {
    TetherConfig config = one().build();
    assertThat(config.loadBalancer()).isEqualTo(TetherConfig.DEFAULT_LOAD_BALANCER);
    assertThat(config.minimumRingSize()).isEqualTo(TetherConfig.DEFAULT_MINIMUM_RING_SIZE);
    assertThat(config.maximumRingSize()).isEqualTo(TetherConfig.DEFAULT_MAXIMUM_RING_SIZE);
    assertThat(config.hashFunction()).isEqualTo(TetherConfig.DEFAULT_HASH_FUNCTION);
    assertThat(config.tableSize()).isEqualTo(TetherConfig.DEFAULT_TABLE_SIZE);
    assertThat(config.panicThreshold()).isEqualTo(TetherConfig.DEFAULT_PANIC_THRESHOLD);
    assertThat(config.hashBalanceFactor()).isEqualTo(TetherConfig.DEFAULT_HASH_BALANCE_FACTOR);
    assertThat(config.session()).isEqualTo(SessionConfig.NONE);
    assertThat(config.outlierDetection()).isEqualTo(OutlierDetection.OFF);
    assertThat(config.outlierDetection().enabled()).isFalse();
    assertThat(config.healthCheck()).isEqualTo(HealthCheck.OFF);
    assertThat(config.healthCheck().enabled()).isFalse();
    assertThat(config.endpointSource()).isEqualTo(EndpointSource.STATIC);
    assertThat(config.retryPolicy()).isEqualTo(RetryPolicy.ISTIO_DEFAULT);
    assertThat(config.timeouts()).isEqualTo(Timeouts.DEFAULTS);
    assertThat(config.name()).isEqualTo(TetherConfig.DEFAULT_NAME);
    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  @Test
  void rulesThatTieFieldsTogetherAreCheckedByBuildAndNameTheKey() {
    assertThatThrownBy(() -> one().minimumRingSize(20).maximumRingSize(10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minimumRingSize: 20 (expected: <= maximumRingSize 10)");
    assertThatThrownBy(() -> one().tableSize(100).build())
        .hasMessage("tableSize: 100 (expected: a prime number up to 5000011; table size must be a"
            + " prime number)");
    assertThatThrownBy(() -> TetherConfig.builder().build())
        .hasMessage("endpoints:  (expected: at least one endpoint; or dns:NAME:PORT; or file:PATH)");
    assertThatThrownBy(() -> one().endpoints(List.of(ONE.get(0), ONE.get(0))).build())
        .hasMessage("endpoints: 10.0.0.1:80 (expected: each address once)");
    assertThatThrownBy(() -> one().session(new SessionConfig(SessionConfig.Mode.NONE, "", "",
        Duration.ZERO, List.of(), true, SessionConfig.ISTIO_OVERRIDE_HEALTH)).build())
        .hasMessage("sessionStrict: true (expected: false unless sessionCookie or sessionHeader is"
            + " set)");
    assertThatThrownBy(() -> one().hashBalanceFactor(50).build())
        .hasMessage("hashBalanceFactor: 50 (expected: 0 (off) or at least 100)");
    assertThatThrownBy(() -> one().name("a,b").build())
        .hasMessage("name: a,b (expected: 1 to 64 letters, digits, '.', '_' or '-' (it names the"
            + " JMX beans))");
    assertThatThrownBy(() -> one().healthCheck(HealthCheck.of("healthz")).build())
        .hasMessageStartingWith("healthCheckPath: healthz (expected: a path starting with /");
    assertThatThrownBy(() -> one().localityWeights(Map.of("a", -1)).build())
        .hasMessageStartingWith("localityWeights: a=-1 (expected: ");
  }

  @Test
  void aDynamicSourceNeedsNoEndpointsButARefreshRate() {
    TetherConfig dns = TetherConfig.builder()
        .endpointSource(EndpointSource.dns("web", 80, EndpointSource.DEFAULT_DNS_REFRESH_RATE))
        .build();
    assertThat(dns.endpoints()).isEmpty();
    assertThatThrownBy(() -> TetherConfig.builder()
        .endpointSource(EndpointSource.dns("web", 80, Duration.ZERO)).build())
        .hasMessage("dnsRefreshRate: 0s (expected: a duration above zero, such as 500ms or 5s)");
  }

  @Test
  void disabledFeaturesAreNotChecked() {
    TetherConfig config = one()
        .outlierDetection(new OutlierDetection(false, 0, 0, Duration.ZERO, Duration.ZERO, 0, 0))
        .build();
    assertThat(config.outlierDetection().enabled()).isFalse();
    assertThatThrownBy(() -> one()
        .outlierDetection(new OutlierDetection(true, 5, 0, Duration.ZERO, Duration.ofSeconds(30),
            10, 0)).build())
        .hasMessage("outlierInterval: 0s (expected: a duration above zero, such as 500ms or 5s)");
  }

  @Test
  void theAddressIsDerivedOnceFromHostAndPort() {
    Endpoint v6 = new Endpoint("2001:db8::1", 8080, 1, "", "", 0, Health.HEALTHY);
    assertThat(v6.address()).isEqualTo("[2001:db8::1]:8080");
    assertThat(v6.withHealth(Health.DRAINING).address()).isEqualTo("[2001:db8::1]:8080");
    assertThat(Endpoint.of("10.0.0.1", 80).address()).isEqualTo("10.0.0.1:80");
    Endpoint e = Endpoint.of("10.0.0.1", 80);
    assertThat(e.address()).as("one string, built in the constructor").isSameAs(e.address());
    assertThatThrownBy(() -> new Endpoint("10.0.0.1", 80, 1, "", "", 0, Health.HEALTHY,
        "10.0.0.2:80"))
        .hasMessage("address: 10.0.0.2:80 (expected: 10.0.0.1:80, from host and port)");
  }
}
