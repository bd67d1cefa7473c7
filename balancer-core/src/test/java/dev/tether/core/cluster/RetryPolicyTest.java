package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import dev.tether.api.Outcome;
import dev.tether.api.Proxy;
import dev.tether.api.RequestView;
import dev.tether.api.RetryPolicy;
import dev.tether.api.TetherConfig;
import dev.tether.core.Fixtures;
import dev.tether.core.Headers;
import dev.tether.core.Inspection;
import dev.tether.core.TestRequest;
import dev.tether.exchange.Exchanges;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Istio's retry policy as the exchange applies it to a real balancer (the runtime on a fake
 * clock): how often, on what, for which methods and sessions. The exchange's own rules (timeouts,
 * bodies, upgrades) are in {@code dev.tether.exchange.ExchangeTest}.
 */
final class RetryPolicyTest {
  private static final String THREE = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";
  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  private static TestRequest method(String method) {
    return TestRequest.get("/").header("user", "u1").method(method);
  }

  private Proxy proxy() {
    return Exchanges.proxy(cluster.balancer, () -> 0L);
  }

  /** How many retries the exchange makes for {@code request} when every attempt fails so. */
  private int retriesAfter(RequestView request, Failure failure) {
    Exchange exchange = proxy().open(request);
    Step step = exchange.start();
    int retries = 0;
    while ((step = exchange.failed(failure)) == Step.FORWARD) {
      retries++;
    }
    assertThat(step).isEqualTo(Step.REPLY);
    return retries;
  }

  /** How many retries the exchange makes for {@code request} when every backend answers so. */
  private int retriesAfter(RequestView request, int status) {
    Exchange exchange = proxy().open(request);
    Step step = exchange.start();
    int retries = 0;
    while ((step = exchange.responded(status)) == Step.FORWARD) {
      retries++;
    }
    assertThat(step).isEqualTo(Step.RELAY);
    exchange.completed();
    return retries;
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
    RequestView get = method("GET");
    assertThat(retriesAfter(get, Failure.CONNECT)).isEqualTo(2);
    assertThat(retriesAfter(get, 503)).isEqualTo(2);
    assertThat(retriesAfter(get, 500)).isZero();
    assertThat(retriesAfter(get, 502)).isZero();
    assertThat(retriesAfter(get, 200)).isZero();
    assertThat(retriesAfter(get, Failure.RESET)).as("Istio's default has no reset").isZero();
    assertThat(retriesAfter(get, Failure.TIMEOUT)).isZero();
  }

  @Test
  void onlyIdempotentMethodsAreSentAgainOnceTheBackendMayHaveThem() {
    cluster.start("endpoints", THREE, "hashPolicy", "header:user", "retryOn", "reset,503");
    for (String method : List.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE")) {
      assertThat(retriesAfter(method(method), Failure.RESET)).as(method).isEqualTo(2);
      assertThat(retriesAfter(method(method), 503)).as(method).isEqualTo(2);
    }
    for (String method : List.of("POST", "PATCH", "CONNECT", "get")) {
      assertThat(retriesAfter(method(method), Failure.RESET)).as(method).isZero();
      assertThat(retriesAfter(method(method), 503)).as(method).isZero();
      // Nothing reached the backend: Envoy retries a connect failure whatever the method.
      assertThat(retriesAfter(method(method), Failure.CONNECT)).as(method).isEqualTo(2);
    }
  }

  @Test
  void aStrictSessionIsNotRetriedElsewhere() {
    cluster.start("endpoints", THREE, "sessionHeader", "s", "sessionStrict", "true");
    TestRequest pinned = TestRequest.get("/")
        .header("s", Inspection.encodeHeaderSession("10.0.0.2:80"));
    assertThat(cluster.balancer.route(pinned).outcome()).isEqualTo(Outcome.SESSION);
    assertThat(retriesAfter(pinned, Failure.CONNECT)).isZero();
    assertThat(retriesAfter(TestRequest.get("/"), Failure.CONNECT)).isEqualTo(2);
  }

  @Test
  void zeroRetriesRetriesNothing() {
    cluster.start("endpoints", THREE, "retries", "0");
    assertThat(retriesAfter(TestRequest.get("/"), Failure.CONNECT)).isZero();
  }

  @Test
  void aRetryAfterAConnectFailureMovesTheSessionAndFeedsOutlierDetection() {
    cluster.start("endpoints", THREE, "sessionHeader", "s", "hashPolicy", "header:user",
        "consecutiveGatewayErrors", "1", "maxEjectionPercent", "100");
    TestRequest request = TestRequest.get("/").header("user", "u1")
        .header("s", Inspection.encodeHeaderSession("10.0.0.2:80"));
    Exchange exchange = proxy().open(request);
    assertThat(exchange.start()).isEqualTo(Step.FORWARD);
    assertThat(exchange.upstream()).isEqualTo("10.0.0.2:80");
    assertThat(exchange.failed(Failure.CONNECT)).isEqualTo(Step.FORWARD);
    String retried = exchange.upstream();
    assertThat(retried).isNotEqualTo("10.0.0.2:80");
    assertThat(exchange.responded(200)).isEqualTo(Step.RELAY);
    List<String> headers = new java.util.ArrayList<>();
    exchange.responseHeaders(Headers.none(), Headers.into(headers));
    assertThat(headers).containsExactly("set s: " + Inspection.encodeHeaderSession(retried));
    exchange.completed();
    assertThat(cluster.mbeanAttribute("Retries")).isEqualTo("1");
    cluster.scheduler.runDue();
    assertThat(cluster.mbean(cluster.endpointName("10.0.0.2:80"), "Ejected")).isEqualTo(true);
  }
}
