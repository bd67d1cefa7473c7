package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Tether;
import dev.tether.api.HashPolicy;
import dev.tether.api.Health;
import dev.tether.api.HealthCheck;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.SessionConfig;
import dev.tether.api.TetherConfig;
import dev.tether.api.Timeouts;
import dev.tether.core.ConfigException;
import dev.tether.core.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ConfigParserTest {
  @TempDir Path dir;

  private static TetherConfig parse(String... keyValues) {
    return Fixtures.config(keyValues);
  }

  private static void rejects(String message, String... keyValues) {
    assertThatThrownBy(() -> parse(keyValues)).isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void defaultsMatchEnvoyAndIstio() {
    TetherConfig config = parse("endpoints", "10.0.0.1:8080");
    assertThat(config.loadBalancer()).isEqualTo(LoadBalancerType.RING_HASH);
    assertThat(config.minimumRingSize()).isEqualTo(1024);
    assertThat(config.maximumRingSize()).isEqualTo(8_388_608);
    assertThat(config.tableSize()).isEqualTo(65_537);
    assertThat(config.panicThreshold()).isEqualTo(50);
    assertThat(config.session().mode()).isEqualTo(SessionConfig.Mode.NONE);
    assertThat(Tether.defaults()).containsKeys("endpoints", "hashPolicy", "sessionCookie",
        "sessionHeader", "destinationRule");
  }

  @Test
  void endpointAttributesAreParsed() {
    TetherConfig config = parse("endpoints",
        "10.0.0.1:8080;weight=3;hashKey=a;locality=zone-a;priority=1;health=draining, [2001:DB8::1]:9090");
    assertThat(config.endpoints().get(0)).satisfies(e -> {
      assertThat(e.weight()).isEqualTo(3);
      assertThat(e.hashKey()).isEqualTo("a");
      assertThat(e.locality()).isEqualTo("zone-a");
      assertThat(e.priority()).isEqualTo(1);
      assertThat(e.health()).isEqualTo(Health.DRAINING);
    });
    assertThat(config.endpoints().get(1).address()).isEqualTo("[2001:db8::1]:9090");
  }

  @Test
  void badValuesNameKeyValueAndExpectation() {
    rejects("minimumRingSize: 20 (expected: <= maximumRingSize 10)", "endpoints", "1.1.1.1:1",
        "minimumRingSize", "20", "maximumRingSize", "10");
    rejects("tableSize: 100 (expected: a prime number up to 5000011; table size must be a prime number)",
        "endpoints", "1.1.1.1:1", "tableSize", "100");
    rejects("loadBalancer: LEAST_REQUEST (expected: RING_HASH or MAGLEV)", "endpoints", "1.1.1.1:1",
        "loadBalancer", "LEAST_REQUEST");
    rejects("maximumRingSize: 9000000 (expected: 0 (default) to 8388608)", "endpoints", "1.1.1.1:1",
        "maximumRingSize", "9000000");
    rejects("sessionCookieTtl: 5 (expected: a duration such as 0s, 500ms, 30s, 1h)", "endpoints",
        "1.1.1.1:1", "sessionCookie", "c", "sessionCookieTtl", "5");
    rejects("hashBalanceFactor: 50 (expected: 0 (off) or at least 100)", "endpoints", "1.1.1.1:1",
        "hashBalanceFactor", "50");
    rejects("useHostnameForHashing: yes (expected: true or false)", "endpoints", "1.1.1.1:1",
        "useHostnameForHashing", "yes");
    rejects("sessionHeader: h (expected: unset when sessionCookie is set)", "endpoints", "1.1.1.1:1",
        "sessionCookie", "c", "sessionHeader", "h");
    rejects("endpoints: 10.0.0.1 (expected: host:port (IPv6 in brackets: [2001:db8::1]:8080))",
        "endpoints", "10.0.0.1");
    rejects("endpoints: 10.0.0.1:0 (expected: a port from 1 to 65535)", "endpoints", "10.0.0.1:0");
    rejects("endpoints: 10.0.0.1:80;weight=0 (expected: weight=N with N >= 1)", "endpoints",
        "10.0.0.1:80;weight=0");
    rejects("panicThreshold: 101 (expected: 0 to 100 (percent))", "endpoints", "1.1.1.1:1",
        "panicThreshold", "101");
    assertThatThrownBy(() -> parse("endpoints", "1.1.1.1:1", "hashPolicy", "header"))
        .hasMessageStartingWith("hashPolicy: header (expected: comma-separated header:NAME");
    assertThatThrownBy(() -> parse("endpoint", "1.1.1.1:1"))
        .hasMessage("endpoint: 1.1.1.1:1 (expected: a Tether key; did you mean endpoints?)");
    assertThatThrownBy(() -> parse("endpoints", "1.1.1.1:1", "frobnicate", "1"))
        .hasMessageStartingWith("frobnicate: 1 (expected: a Tether key: endpoints, dnsRefreshRate,");
    assertThatThrownBy(() -> parse()).hasMessageStartingWith("endpoints:  (expected: comma-separated");
  }

  @Test
  void hashPoliciesParseWithOptions() {
    TetherConfig config = parse("endpoints", "1.1.1.1:1", "hashPolicy",
        "header:x-user;terminal, cookie:sid;ttl=1h30m;path=/a;attribute=SameSite=Strict;attribute=Secure, sourceIp, query:u");
    assertThat(config.hashPolicies()).hasSize(4);
    assertThat(config.hashPolicies().get(0).terminal()).isTrue();
    HashPolicy cookie = config.hashPolicies().get(1);
    assertThat(cookie.ttl()).isEqualTo(Duration.ofMinutes(90));
    assertThat(cookie.path()).isEqualTo("/a");
    assertThat(cookie.attributes()).extracting(a -> a.name() + "=" + a.value())
        .containsExactly("SameSite=Strict", "Secure=");
    assertThat(config.hashPolicies().get(2).type()).isEqualTo(HashPolicy.Type.SOURCE_IP);
    assertThat(config.hashPolicies().get(3).type()).isEqualTo(HashPolicy.Type.QUERY_PARAMETER);
  }

  @Test
  void durationsUseIstioSyntax() {
    assertThat(Durations.parse("k", "0s")).isZero();
    assertThat(Durations.parse("k", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("k", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("k", "1h")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> Durations.parse("k", "-1s")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> Durations.parse("k", "1d")).isInstanceOf(ConfigException.class);
  }

  @Test
  void destinationRuleCookieHashIsHonoured() throws IOException {
    Path rule = write("dr.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: helloworld
        spec:
          host: helloworld
          trafficPolicy:
            loadBalancer:
              consistentHash:
                httpCookie: {name: sticky-session-key, ttl: 0s, path: /, attributes: [{name: SameSite, value: Lax}]}
                maglev: {tableSize: 1009}
            outlierDetection:
              consecutive5xxErrors: 3
              interval: 5s
              baseEjectionTime: 1m
        """);
    TetherConfig config = Tether.parseConfig(
        Map.of("endpoints", "1.1.1.1:1", "destinationRule", rule.getFileName().toString()), dir);
    HashPolicy policy = config.hashPolicies().get(0);
    assertThat(policy.type()).isEqualTo(HashPolicy.Type.COOKIE);
    assertThat(policy.name()).isEqualTo("sticky-session-key");
    assertThat(policy.ttl()).isZero();
    assertThat(policy.path()).isEqualTo("/");
    assertThat(config.loadBalancer()).isEqualTo(LoadBalancerType.MAGLEV);
    assertThat(config.tableSize()).isEqualTo(1009);
    assertThat(config.outlierDetection().consecutive5xxErrors()).isEqualTo(3);
    assertThat(config.outlierDetection().baseEjectionTime()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.outlierDetection().maxEjectionPercent()).isEqualTo(10);
  }

  @Test
  void flatKeysOverrideTheDestinationRule() throws IOException {
    Path rule = write("dr.yaml", """
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        spec:
          trafficPolicy:
            loadBalancer:
              consistentHash:
                httpHeaderName: x-user
                ringHash: {minimumRingSize: 0}
        """);
    Map<String, String> keys = new HashMap<>();
    keys.put("endpoints", "1.1.1.1:1");
    keys.put("destinationRule", rule.toString());
    TetherConfig fromRule = Tether.parseConfig(keys, dir);
    assertThat(fromRule.minimumRingSize()).isEqualTo(1024);
    assertThat(fromRule.hashPolicies()).containsExactly(HashPolicy.header("x-user"));
    keys.put("hashPolicy", "query:u");
    keys.put("loadBalancer", "MAGLEV");
    TetherConfig overridden = Tether.parseConfig(keys, dir);
    assertThat(overridden.hashPolicies()).containsExactly(HashPolicy.queryParameter("u"));
    assertThat(overridden.loadBalancer()).isEqualTo(LoadBalancerType.MAGLEV);
  }

  @Test
  void timeoutsHaveDocumentedDefaultsAndIstioSyntax() {
    Timeouts defaults = parse("endpoints", "10.0.0.1:8080").timeouts();
    assertThat(defaults).isEqualTo(Timeouts.DEFAULTS);
    assertThat(defaults.connect()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.request()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.perTry()).isEqualTo(Duration.ZERO);
    assertThat(defaults.idle()).isEqualTo(Duration.ofHours(1));
    Timeouts set = parse("endpoints", "10.0.0.1:8080", "connectTimeout", "250ms",
        "requestTimeout", "0s", "perTryTimeout", "1.5s", "idleTimeout", "5m").timeouts();
    assertThat(set).isEqualTo(new Timeouts(Duration.ofMillis(250), Duration.ZERO,
        Duration.ofMillis(1500), Duration.ofMinutes(5)));
    rejects("connectTimeout: 0s (expected: a duration above zero, such as 500ms or 5s)",
        "endpoints", "10.0.0.1:8080", "connectTimeout", "0s");
    rejects("requestTimeout: 30 seconds (expected: " + Durations.EXPECTED + ")",
        "endpoints", "10.0.0.1:8080", "requestTimeout", "30 seconds");
    rejects("idleTimeout: -1s (expected: " + Durations.EXPECTED + ")",
        "endpoints", "10.0.0.1:8080", "idleTimeout", "-1s");
  }

  @Test
  void theConnectTimeoutIsReadFromTheDestinationRulesConnectionPool() throws IOException {
    Path rule = write("pool.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        spec:
          trafficPolicy:
            connectionPool:
              tcp: {connectTimeout: 3s}
        """);
    Map<String, String> keys = new HashMap<>();
    keys.put("endpoints", "1.1.1.1:1");
    keys.put("destinationRule", rule.toString());
    assertThat(Tether.parseConfig(keys, dir).timeouts().connect()).isEqualTo(Duration.ofSeconds(3));
    keys.put("connectTimeout", "700ms");
    assertThat(Tether.parseConfig(keys, dir).timeouts().connect())
        .as("the flat key overrides the rule").isEqualTo(Duration.ofMillis(700));
    Path zero = write("zero.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        spec:
          trafficPolicy:
            connectionPool:
              tcp: {connectTimeout: 0s}
        """);
    assertThatThrownBy(() -> Tether.parseConfig(
        Map.of("endpoints", "1.1.1.1:1", "destinationRule", zero.toString()), dir))
        .hasMessage("destinationRule.spec.trafficPolicy.connectionPool.tcp.connectTimeout: 0s"
            + " (expected: a duration above zero, such as 500ms or 5s)");
  }

  @Test
  void badDestinationRulesAreNamedPrecisely() throws IOException {
    Path two = write("two.yaml", """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        spec:
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: a, useSourceIp: true}
        """);
    assertThatThrownBy(() -> Tether.parseConfig(
        Map.of("endpoints", "1.1.1.1:1", "destinationRule", two.toString()), dir))
        .hasMessageStartingWith("destinationRule.spec.trafficPolicy.loadBalancer.consistentHash: ")
        .hasMessageEndingWith("(expected: exactly one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName)");
    Path version = write("v.yaml", "apiVersion: networking.istio.io/v2\nkind: DestinationRule\n");
    assertThatThrownBy(() -> Tether.parseConfig(
        Map.of("endpoints", "1.1.1.1:1", "destinationRule", version.toString()), dir))
        .hasMessage("destinationRule.apiVersion: networking.istio.io/v2 (expected: networking.istio.io/v1, v1beta1 or v1alpha3)");
    assertThatThrownBy(() -> Tether.parseConfig(
        Map.of("endpoints", "1.1.1.1:1", "destinationRule", "missing.yaml"), dir))
        .hasMessageStartingWith("destinationRule: missing.yaml (expected: a readable file");
    Path broken = write("broken.yaml", "kind: [unclosed\n");
    assertThatThrownBy(() -> Tether.parseConfig(
        Map.of("endpoints", "1.1.1.1:1", "destinationRule", broken.toString()), dir))
        .hasMessageStartingWith("destinationRule: " + broken + " (expected: valid YAML");
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void clusterRuntimeKeysHaveDocumentedDefaults() {
    assertThat(Tether.defaults()).containsAllEntriesOf(Map.ofEntries(
        Map.entry("dnsRefreshRate", "5s"),
        Map.entry("fileRefreshRate", "1s"),
        Map.entry("healthCheckPath", ""),
        Map.entry("healthCheckInterval", "10s"),
        Map.entry("healthCheckTimeout", "1s"),
        Map.entry("healthyThreshold", "1"),
        Map.entry("unhealthyThreshold", "3"),
        Map.entry("consecutive5xxErrors", "5"),
        Map.entry("consecutiveGatewayErrors", "0"),
        Map.entry("outlierInterval", "10s"),
        Map.entry("baseEjectionTime", "30s"),
        Map.entry("maxEjectionPercent", "10"),
        Map.entry("minHealthPercent", "0"),
        Map.entry("retries", "2"),
        Map.entry("retryOn", "connect-failure,refused-stream,unavailable,cancelled,503"),
        Map.entry("name", "tether")));
    TetherConfig config = parse("endpoints", "10.0.0.1:8080");
    assertThat(config.endpointSource()).isEqualTo(dev.tether.api.EndpointSource.STATIC);
    assertThat(config.healthCheck()).isEqualTo(HealthCheck.OFF);
    assertThat(config.outlierDetection()).isEqualTo(dev.tether.api.OutlierDetection.OFF);
    assertThat(config.panicThreshold()).isEqualTo(50);
    assertThat(config.name()).isEqualTo("tether");
    // The defaults, given explicitly, parse to the same thing (an ini template lists them).
    Map<String, String> explicit = new HashMap<>();
    for (String key : List.of("consecutive5xxErrors", "consecutiveGatewayErrors", "outlierInterval",
        "baseEjectionTime", "maxEjectionPercent", "minHealthPercent", "healthCheckInterval",
        "healthCheckTimeout", "healthyThreshold", "unhealthyThreshold", "retries", "retryOn",
        "name")) {
      explicit.put(key, Tether.defaults().get(key));
    }
    explicit.put("endpoints", "10.0.0.1:8080");
    explicit.put("healthCheckPath", "/healthz");
    TetherConfig withDefaults = Tether.parseConfig(explicit);
    assertThat(withDefaults.outlierDetection())
        .isEqualTo(dev.tether.api.OutlierDetection.ISTIO_DEFAULTS);
    assertThat(withDefaults.panicThreshold()).isZero();
    assertThat(withDefaults.retryPolicy()).isEqualTo(dev.tether.api.RetryPolicy.ISTIO_DEFAULT);
  }

  @Test
  void theJmxNameIsChecked() {
    rejects("name: my front (expected: 1 to 64 letters, digits, '.', '_' or '-' (it names the JMX"
        + " beans))", "endpoints", "1.1.1.1:1", "name", "my front");
    rejects("name: a,b=c (expected: 1 to 64 letters, digits, '.', '_' or '-' (it names the JMX"
        + " beans))", "endpoints", "1.1.1.1:1", "name", "a,b=c");
    assertThat(parse("endpoints", "1.1.1.1:1", "name", "jetty-front.1").name())
        .isEqualTo("jetty-front.1");
  }

  @Test
  void theBuildersDefaultsAreTheParsersDefaults() {
    TetherConfig parsed = parse("endpoints", "10.0.0.1:8080");
    TetherConfig built = TetherConfig.builder().endpoints(parsed.endpoints()).build();
    assertThat(built).isEqualTo(parsed);
  }
}
