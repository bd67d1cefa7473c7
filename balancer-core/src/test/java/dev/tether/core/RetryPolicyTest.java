package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Outcome;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.RetryPolicy;
import dev.tether.api.TetherConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class RetryPolicyTest {
  private static final String THREE = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";
  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  private static RequestView method(String method) {
    return TestRequest.get("/").method(method);
  }

  private Decision routed() {
    return cluster.balancer.route(TestRequest.get("/").header("user", "u1"));
  }

  @Test
  void theDefaultIsIstios() {
    TetherConfig config = Fixtures.config("endpoints", THREE);
    assertThat(config.retryPolicy()).isEqualTo(RetryPolicy.ISTIO_DEFAULT);
    assertThat(config.retryPolicy().retries()).isEqualTo(2);
  }

  @Test
  void connectFailuresAndIstios503AreRetriedTwice() {
    cluster.start("endpoints", THREE, "hashPolicy", "header:user");
    Decision d = routed();
    RequestView get = TestRequest.get("/");
    assertThat(cluster.balancer.shouldRetry(get, d, 0, 0)).isTrue();
    assertThat(cluster.balancer.shouldRetry(get, d, 0, 1)).isTrue();
    assertThat(cluster.balancer.shouldRetry(get, d, 0, 2)).isFalse();
    assertThat(cluster.balancer.shouldRetry(get, d, 503, 0)).isTrue();
    assertThat(cluster.balancer.shouldRetry(get, d, 500, 0)).isFalse();
    assertThat(cluster.balancer.shouldRetry(get, d, 502, 0)).isFalse();
    assertThat(cluster.balancer.shouldRetry(get, d, 200, 0)).isFalse();
  }

  @Test
  void onlyIdempotentMethodsAreRetried() {
    cluster.start("endpoints", THREE, "hashPolicy", "header:user");
    Decision d = routed();
    for (String method : List.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE")) {
      assertThat(cluster.balancer.shouldRetry(method(method), d, 0, 0)).as(method).isTrue();
    }
    for (String method : List.of("POST", "PATCH", "CONNECT", "get")) {
      assertThat(cluster.balancer.shouldRetry(method(method), d, 0, 0)).as(method).isFalse();
    }
  }

  @Test
  void aStrictSessionIsNotRetriedElsewhere() {
    cluster.start("endpoints", THREE, "sessionHeader", "s", "sessionStrict", "true");
    Decision pinned = cluster.balancer.route(TestRequest.get("/")
        .header("s", SessionCodec.encodeHeader("10.0.0.2:80")));
    assertThat(pinned.outcome()).isEqualTo(Outcome.SESSION);
    assertThat(cluster.balancer.shouldRetry(TestRequest.get("/"), pinned, 0, 0)).isFalse();
    Decision balanced = cluster.balancer.route(TestRequest.get("/"));
    assertThat(cluster.balancer.shouldRetry(TestRequest.get("/"), balanced, 0, 0)).isTrue();
  }

  @Test
  void retryOnUsesEnvoysConditions() {
    assertThat(covers("5xx", 500, 599, 0)).isTrue();
    assertThat(covers("5xx", 499)).isFalse();
    assertThat(covers("gateway-error", 502, 503, 504, 0)).isTrue();
    assertThat(covers("gateway-error", 500)).isFalse();
    assertThat(covers("retriable-4xx", 409)).isTrue();
    assertThat(covers("retriable-4xx", 404)).isFalse();
    assertThat(covers("reset", 0)).isTrue();
    assertThat(covers("reset", 503)).isFalse();
    assertThat(covers("connect-failure", 0)).isTrue();
    assertThat(covers("connect-failure", 503)).isFalse();
    assertThat(covers("retriable-status-codes", 503)).isFalse();
    assertThat(covers("429, 503", 429, 503)).isTrue();
    assertThat(covers("429", 0)).isFalse();
    assertThat(covers("unavailable,cancelled,refused-stream", 0)).isFalse();
  }

  private static boolean covers(String retryOn, int... statuses) {
    RetryPolicy policy = RetryOnParser.parse("retryOn", retryOn, 2);
    for (int status : statuses) {
      if (!Retries.covers(policy, status)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void retryOnIsReadAsIstioReadsIt() {
    assertThat(RetryOnParser.parse("retryOn", "503,connect-failure", 3)).isEqualTo(new RetryPolicy(
        3, List.of("connect-failure", "retriable-status-codes"), Set.of(503)));
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "retryOn", "5xx,timeout"))
        .hasMessage("retryOn: 5xx,timeout (expected: " + RetryOnParser.EXPECTED + "; not timeout)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "retryOn", "600"))
        .hasMessage("retryOn: 600 (expected: " + RetryOnParser.EXPECTED + ")");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "retries", "-1"))
        .hasMessage("retries: -1 (expected: a whole number >= 0 (0 disables retries))");
  }

  @Test
  void zeroRetriesRetriesNothing() {
    cluster.start("endpoints", THREE, "retries", "0");
    assertThat(cluster.balancer.shouldRetry(TestRequest.get("/"), routed(), 0, 0)).isFalse();
  }

  @Test
  void aRetryAfterAConnectFailureMovesTheSessionAndFeedsOutlierDetection() {
    cluster.start("endpoints", THREE, "sessionHeader", "s", "hashPolicy", "header:user",
        "consecutiveGatewayErrors", "1", "maxEjectionPercent", "100");
    TestRequest request = TestRequest.get("/").header("user", "u1")
        .header("s", SessionCodec.encodeHeader("10.0.0.2:80"));
    Decision first = cluster.balancer.route(request);
    cluster.balancer.requestStarted(first.endpoint());
    cluster.balancer.requestFinished(first.endpoint(), 0);
    assertThat(cluster.balancer.shouldRetry(request, first, 0, 0)).isTrue();
    Decision retry = cluster.balancer.retry(request, first);
    assertThat(retry.endpoint().address()).isNotEqualTo("10.0.0.2:80");
    List<ResponseHeader> headers = cluster.balancer.responseHeaders(retry, retry.endpoint());
    assertThat(headers).containsExactly(new ResponseHeader("s",
        SessionCodec.encodeHeader(retry.endpoint().address()), true));
    assertThat(cluster.mbeanAttribute("Retries")).isEqualTo("1");
    cluster.scheduler.runDue();
    assertThat(cluster.mbean(cluster.endpointName("10.0.0.2:80"), "Ejected")).isEqualTo(true);
  }

  @Test
  void theInterfaceDefaultKeepsTheContainersOldRule() {
    Balancer foreign = new Balancer() {
      private final TetherConfig config = Fixtures.config("endpoints", THREE);

      @Override
      public Decision route(RequestView request) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Decision retry(RequestView request, Decision previous) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<ResponseHeader> responseHeaders(Decision decision, Endpoint served) {
        return List.of();
      }

      @Override
      public void requestStarted(Endpoint endpoint) {}

      @Override
      public void requestFinished(Endpoint endpoint, int status) {}

      @Override
      public List<Endpoint> endpoints() {
        return config.endpoints();
      }

      @Override
      public TetherConfig config() {
        return config;
      }
    };
    Decision d = new Decision(Endpoint.of("10.0.0.1", 80), Outcome.HASH, dev.tether.api.SessionStatus.ABSENT,
        null, 1, 0, List.of(), null);
    assertThat(foreign.shouldRetry(TestRequest.get("/"), d, 0, 1)).isTrue();
    assertThat(foreign.shouldRetry(TestRequest.get("/"), d, 0, 2)).isFalse();
    assertThat(foreign.shouldRetry(TestRequest.get("/"), d, 503, 0)).isFalse();
    assertThat(foreign.shouldRetry(method("POST"), d, 0, 0)).isFalse();
    foreign.close();
  }
}
