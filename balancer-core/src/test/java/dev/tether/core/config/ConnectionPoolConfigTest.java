package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Tether;
import dev.tether.api.ConnectionPool;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import dev.tether.core.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's {@code connectionPool}: Istio's defaults, the DestinationRule's fields, the flat keys
 * that override them one by one, and the errors for values Envoy could not take.
 */
final class ConnectionPoolConfigTest {
  @TempDir Path dir;

  private static final String RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      spec:
        host: shop
        trafficPolicy:
          connectionPool:
            tcp:
              maxConnections: 2
              connectTimeout: 3s
            http:
              http1MaxPendingRequests: 5
              maxRequestsPerConnection: 100
              idleTimeout: 30s
              maxRetries: 4
      """;

  private Map<String, String> withRule(String yaml) throws IOException {
    Path rule = dir.resolve("rule.yaml");
    Files.writeString(rule, yaml, StandardCharsets.UTF_8);
    Map<String, String> keys = new HashMap<>();
    keys.put("endpoints", "10.0.0.1:80");
    keys.put("destinationRule", rule.toString());
    return keys;
  }

  @Test
  void istiosDefaultsLeaveEveryLimitOpen() {
    TetherConfig config = Fixtures.config("endpoints", "10.0.0.1:80");
    assertThat(config.connectionPool()).isEqualTo(ConnectionPool.ISTIO_DEFAULTS)
        .isEqualTo(TetherConfig.builder().endpoints(config.endpoints()).build().connectionPool());
    ConnectionPool pool = config.connectionPool();
    assertThat(pool.maxConnections()).isEqualTo(4_294_967_295L);
    assertThat(pool.maxPendingRequests()).isEqualTo(4_294_967_295L);
    assertThat(pool.maxRetries()).isEqualTo(4_294_967_295L);
    assertThat(pool.maxRequestsPerConnection()).as("no limit").isZero();
    assertThat(pool.idleTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(pool.unlimited()).isTrue();
    assertThat(Tether.defaults()).containsEntry("tcp.maxConnections", "4294967295")
        .containsEntry("http.http1MaxPendingRequests", "4294967295")
        .containsEntry("http.maxRequestsPerConnection", "0")
        .containsEntry("http.idleTimeout", "1h")
        .containsEntry("http.maxRetries", "4294967295")
        .containsEntry("tcp.connectTimeout", "10s");
  }

  @Test
  void flatKeysSetEachField() {
    TetherConfig config = Fixtures.config("endpoints", "10.0.0.1:80", "tcp.maxConnections", "2",
        "http.http1MaxPendingRequests", "3", "http.maxRequestsPerConnection", "1",
        "http.idleTimeout", "0s", "http.maxRetries", "7", "tcp.connectTimeout", "250ms");
    assertThat(config.connectionPool())
        .isEqualTo(new ConnectionPool(2, 3, 1, Duration.ZERO, 7));
    assertThat(config.timeouts().connect()).as("tcp.connectTimeout is connectTimeout")
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void theDestinationRulesConnectionPoolIsReadAndFlatKeysOverrideItFieldByField()
      throws IOException {
    Map<String, String> keys = withRule(RULE);
    TetherConfig config = Tether.parseConfig(keys, dir);
    assertThat(config.connectionPool())
        .isEqualTo(new ConnectionPool(2, 5, 100, Duration.ofSeconds(30), 4));
    assertThat(config.timeouts().connect()).isEqualTo(Duration.ofSeconds(3));

    keys.put("tcp.maxConnections", "8");
    keys.put("tcp.connectTimeout", "1s");
    config = Tether.parseConfig(keys, dir);
    assertThat(config.connectionPool())
        .isEqualTo(new ConnectionPool(8, 5, 100, Duration.ofSeconds(30), 4));
    assertThat(config.timeouts().connect()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aZeroLimitInTheRuleIsUnsetAsIstioReadsIt() throws IOException {
    TetherConfig config = Tether.parseConfig(withRule("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        spec:
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 0}
              http: {http1MaxPendingRequests: 0, maxRetries: 0, maxRequestsPerConnection: 0}
        """), dir);
    assertThat(config.connectionPool()).isEqualTo(ConnectionPool.ISTIO_DEFAULTS);
  }

  @Test
  void badValuesAreNamedWithWhatWasExpected() throws IOException {
    assertThatThrownBy(() -> Fixtures.config("endpoints", "10.0.0.1:80",
        "tcp.maxConnections", "0"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tcp.maxConnections: 0 (expected: 1 to 4294967295)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "10.0.0.1:80",
        "http.http1MaxPendingRequests", "4294967296"))
        .hasMessage("http.http1MaxPendingRequests: 4294967296 (expected: 1 to 4294967295)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "10.0.0.1:80",
        "http.maxRequestsPerConnection", "-1"))
        .hasMessage("http.maxRequestsPerConnection: -1 (expected: 0 to 4294967295 (0: no limit))");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "10.0.0.1:80",
        "http.idleTimeout", "soon"))
        .hasMessage("http.idleTimeout: soon (expected: " + Durations.EXPECTED + ")");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "10.0.0.1:80",
        "connectTimeout", "1s", "tcp.connectTimeout", "2s"))
        .hasMessage("tcp.connectTimeout: 2s (expected: unset when connectTimeout is set (the"
            + " same setting by its Istio name))");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "10.0.0.1:80",
        "tcp.maxConection", "2"))
        .hasMessageContaining("did you mean tcp.maxConnections?");
    assertThatThrownBy(() -> Tether.parseConfig(withRule("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        spec:
          trafficPolicy:
            connectionPool:
              http: {http1MaxPendingRequests: many}
        """), dir))
        .hasMessage("destinationRule.spec.trafficPolicy.connectionPool.http"
            + ".http1MaxPendingRequests: many (expected: a whole number from 0 to 2147483647"
            + " (0: Istio's default))");
  }
}
