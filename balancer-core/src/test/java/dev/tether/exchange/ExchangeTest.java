package dev.tether.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import dev.tether.api.HeaderFields;
import dev.tether.api.HeaderSink;
import dev.tether.api.LocalReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange every front end drives, on a real balancer and a fake clock: what follows each
 * outcome of an attempt, which reply goes out, and that every attempt is started once and ended
 * once whatever happens.
 */
final class ExchangeTest {
  private static final String THREE = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<CountingBalancer> balancers = new ArrayList<>();

  @AfterEach
  void balancedBooks() {
    for (CountingBalancer balancer : balancers) {
      assertThat(balancer.inFlight()).as("attempts in flight after the test").isZero();
      assertThat(balancer.tunnels()).as("tunnels open after the test").isZero();
      balancer.close();
    }
  }

  private CountingBalancer balancer(String... keys) {
    CountingBalancer balancer = new CountingBalancer(keys);
    balancers.add(balancer);
    return balancer;
  }

  private Exchange open(CountingBalancer balancer, Request request) {
    return Exchanges.proxy(balancer, now::get).open(request);
  }

  private static String header(String address) {
    return Base64.getEncoder().encodeToString(address.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void noEndpointToRouteToIsEnvoysNoHealthyUpstream() {
    CountingBalancer balancer = balancer("endpoints", "10.0.0.1:80;health=UNHEALTHY",
        "panicThreshold", "0");
    Exchange exchange = open(balancer, Request.get("/"));
    assertThat(exchange.start()).isEqualTo(Step.REPLY);
    assertThat(exchange.reply()).isEqualTo(LocalReply.NO_HEALTHY_UPSTREAM);
    assertThat(exchange.reply().status()).isEqualTo(503);
    assertThat(exchange.reply().body()).isEqualTo("no healthy upstream");
    assertThat(balancer.calls).isEmpty();
    assertThat(exchange.attempts()).isZero();
  }

  @Test
  void aStrictSessionNamingAGoneEndpointIsNoHealthyUpstream() {
    CountingBalancer balancer = balancer("endpoints", THREE, "sessionHeader", "s",
        "sessionStrict", "true");
    Exchange exchange = open(balancer, Request.get("/").header("s", header("10.0.0.9:80")));
    assertThat(exchange.start()).isEqualTo(Step.REPLY);
    assertThat(exchange.reply()).isEqualTo(LocalReply.NO_HEALTHY_UPSTREAM);
  }

  @Test
  void connectFailuresAreRetriedOnOtherEndpointsThenAnsweredAsEnvoyAnswers() {
    CountingBalancer balancer = balancer("endpoints", THREE);
    Exchange exchange = open(balancer, Request.get("/"));
    assertThat(exchange.start()).isEqualTo(Step.FORWARD);
    Set<String> tried = new HashSet<>();
    tried.add(exchange.upstream());
    assertThat(exchange.failed(Failure.CONNECT)).isEqualTo(Step.FORWARD);
    tried.add(exchange.upstream());
    assertThat(exchange.failed(Failure.CONNECT)).isEqualTo(Step.FORWARD);
    tried.add(exchange.upstream());
    assertThat(tried).as("each retry goes to an endpoint not tried yet").hasSize(3);
    assertThat(exchange.failed(Failure.CONNECT)).isEqualTo(Step.REPLY);
    assertThat(exchange.reply().status()).isEqualTo(503);
    assertThat(exchange.reply().body()).isEqualTo("upstream connect error or disconnect/reset"
        + " before headers. reset reason: connection failure");
    assertThat(exchange.attempts()).isEqualTo(3);
    assertThat(balancer.calls).filteredOn(c -> c.startsWith("failed")).hasSize(3)
        .allMatch(c -> c.endsWith(" CONNECT"));
  }

  @Test
  void aResetBeforeTheHeadIsRetriedOnlyWhenRetryOnHasReset() {
    CountingBalancer plain = balancer("endpoints", THREE);
    Exchange exchange = open(plain, Request.get("/"));
    exchange.start();
    assertThat(exchange.failed(Failure.RESET)).isEqualTo(Step.REPLY);
    assertThat(exchange.reply()).isEqualTo(LocalReply.CONNECTION_TERMINATION);
    assertThat(exchange.reply().body()).endsWith("reset reason: connection termination");

    CountingBalancer withReset = balancer("endpoints", THREE, "retryOn", "reset");
    Exchange retried = open(withReset, Request.get("/"));
    retried.start();
    assertThat(retried.failed(Failure.RESET)).isEqualTo(Step.FORWARD);
    assertThat(retried.responded(200)).isEqualTo(Step.RELAY);
    retried.completed();
  }

  @Test
  void aPostThatMayHaveReachedTheBackendIsNeverSentAgain() {
    CountingBalancer balancer = balancer("endpoints", THREE, "retryOn", "reset,5xx,503");
    Exchange reset = open(balancer, Request.method("POST"));
    reset.start();
    assertThat(reset.failed(Failure.RESET)).isEqualTo(Step.REPLY);
    assertThat(reset.reply()).isEqualTo(LocalReply.CONNECTION_TERMINATION);

    Exchange answered = open(balancer, Request.method("POST"));
    answered.start();
    assertThat(answered.responded(503)).as("the backend's own 503 is relayed").isEqualTo(Step.RELAY);
    answered.completed();

    Exchange refused = open(balancer, Request.method("POST"));
    refused.start();
    assertThat(refused.failed(Failure.CONNECT)).as("nothing was sent").isEqualTo(Step.FORWARD);
    assertThat(refused.responded(201)).isEqualTo(Step.RELAY);
    refused.completed();
  }

  @Test
  void aBodyAlreadyReadCannotBeSentAgain() {
    CountingBalancer balancer = balancer("endpoints", THREE, "retryOn", "connect-failure,reset");
    Exchange exchange = open(balancer, Request.method("PUT"));
    exchange.start();
    exchange.bodyRead();
    assertThat(exchange.failed(Failure.RESET)).isEqualTo(Step.REPLY);
  }

  @Test
  void aRetriableStatusIsDroppedAndForwardedAgainUntilRetriesRunOut() {
    CountingBalancer balancer = balancer("endpoints", THREE);
    Exchange exchange = open(balancer, Request.get("/"));
    exchange.start();
    assertThat(exchange.responded(503)).isEqualTo(Step.FORWARD);
    assertThat(exchange.responded(503)).isEqualTo(Step.FORWARD);
    assertThat(exchange.responded(503)).as("the third 503 is relayed").isEqualTo(Step.RELAY);
    exchange.completed();
    assertThat(balancer.calls).filteredOn(c -> c.startsWith("finished"))
        .hasSize(3).allMatch(c -> c.endsWith(" 503"));
  }

  @Test
  void aStrictSessionIsAnsweredWithTheTextOfItsFailureAndNeverMoves() {
    CountingBalancer balancer = balancer("endpoints", THREE, "sessionHeader", "s",
        "sessionStrict", "true", "retryOn", "connect-failure,reset,503");
    for (Failure failure : List.of(Failure.CONNECT, Failure.RESET, Failure.TIMEOUT)) {
      Exchange exchange = open(balancer, Request.get("/").header("s", header("10.0.0.2:80")));
      exchange.start();
      assertThat(exchange.upstream()).isEqualTo("10.0.0.2:80");
      exchange.requestSent();
      assertThat(exchange.failed(failure)).as(failure.name()).isEqualTo(Step.REPLY);
      assertThat(exchange.reply()).isEqualTo(switch (failure) {
        case CONNECT -> LocalReply.CONNECTION_FAILURE;
        case RESET -> LocalReply.CONNECTION_TERMINATION;
        default -> LocalReply.REQUEST_TIMEOUT;
      });
    }
    Exchange unavailable = open(balancer, Request.get("/").header("s", header("10.0.0.2:80")));
    unavailable.start();
    assertThat(unavailable.responded(503)).isEqualTo(Step.RELAY);
    unavailable.completed();
  }

  @Test
  void theRequestTimeoutIsSharedByEveryAttemptAndEndsWith504() {
    CountingBalancer balancer = balancer("endpoints", THREE, "requestTimeout", "10s",
        "perTryTimeout", "4s", "retryOn", "reset");
    Exchange exchange = open(balancer, Request.get("/"));
    exchange.start();
    assertThat(exchange.requestSent()).isEqualTo(4_000_000_000L);
    now.addAndGet(4_000_000_000L);
    assertThat(exchange.failed(Failure.TIMEOUT)).as("a per-try timeout is retried")
        .isEqualTo(Step.FORWARD);
    assertThat(exchange.requestSent()).isEqualTo(4_000_000_000L);
    now.addAndGet(4_000_000_000L);
    assertThat(exchange.failed(Failure.TIMEOUT)).isEqualTo(Step.FORWARD);
    assertThat(exchange.requestSent()).as("what is left of the request timeout")
        .isEqualTo(2_000_000_000L);
    now.addAndGet(2_000_000_000L);
    assertThat(exchange.failed(Failure.TIMEOUT)).isEqualTo(Step.REPLY);
    assertThat(exchange.reply()).isEqualTo(LocalReply.REQUEST_TIMEOUT);
    assertThat(exchange.reply().status()).isEqualTo(504);
    assertThat(exchange.reply().body()).isEqualTo("upstream request timeout");
  }

  @Test
  void theRequestTimeoutEndsRetriesEvenWithRetriesLeft() {
    CountingBalancer balancer = balancer("endpoints", THREE, "requestTimeout", "1s",
        "retryOn", "reset,503");
    Exchange exchange = open(balancer, Request.get("/"));
    exchange.start();
    assertThat(exchange.requestSent()).isEqualTo(1_000_000_000L);
    now.addAndGet(1_000_000_000L);
    assertThat(exchange.failed(Failure.TIMEOUT)).isEqualTo(Step.REPLY);
    assertThat(exchange.reply()).isEqualTo(LocalReply.REQUEST_TIMEOUT);
  }

  @Test
  void noTimeoutsMeansNoWait() {
    CountingBalancer balancer = balancer("endpoints", THREE, "requestTimeout", "0s");
    Exchange exchange = open(balancer, Request.get("/"));
    exchange.start();
    assertThat(exchange.requestSent()).isZero();
    exchange.responded(200);
    exchange.completed();
  }

  @Test
  void aWebSocketIsTunnelledAndCountsAsInFlightUntilItCloses() {
    CountingBalancer balancer = balancer("endpoints", THREE, "sessionHeader", "s");
    Exchange exchange = open(balancer, Request.get("/ws").websocket());
    assertThat(exchange.isUpgrade()).isTrue();
    exchange.start();
    assertThat(exchange.responded(101)).isEqualTo(Step.TUNNEL);
    assertThat(balancer.inFlight()).isEqualTo(1);
    assertThat(balancer.tunnels()).isEqualTo(1);
    List<String> lines = new ArrayList<>();
    exchange.responseHeaders(fields("Upgrade", "websocket", "Connection", "Upgrade",
        "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), sink(lines));
    assertThat(lines).containsExactly(
        "add Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        "set Connection: Upgrade",
        "set Upgrade: websocket",
        "set s: " + header(exchange.upstream()));
    exchange.completed();
    assertThat(balancer.calls).endsWith("tunnel closed " + exchange.upstream(),
        "finished " + exchange.upstream() + " 101");
  }

  @Test
  void aTunnelCutByTheBackendEndsAsAFailureAndClosesTheClient() {
    CountingBalancer balancer = balancer("endpoints", THREE);
    Exchange exchange = open(balancer, Request.get("/ws").websocket());
    exchange.start();
    exchange.responded(101);
    assertThat(exchange.failed(Failure.RESET_DURING_BODY)).isEqualTo(Step.CLOSE);
    assertThat(balancer.calls).contains("failed " + exchange.upstream() + " RESET_DURING_BODY");
    assertThat(exchange.failed(Failure.RESET_DURING_BODY)).as("once only").isEqualTo(Step.CLOSE);
    exchange.completed();
  }

  @Test
  void anUpgradeAnsweredWithoutA101IsRelayedAsAPlainResponse() {
    CountingBalancer balancer = balancer("endpoints", THREE);
    Exchange exchange = open(balancer, Request.get("/ws").websocket());
    exchange.start();
    assertThat(exchange.responded(426)).isEqualTo(Step.RELAY);
    List<String> lines = new ArrayList<>();
    exchange.responseHeaders(fields("Connection", "close", "Upgrade", "websocket",
        "Content-Length", "0"), sink(lines));
    assertThat(lines).containsExactly("add Content-Length: 0");
    exchange.completed();
    assertThat(balancer.tunnels()).isZero();
  }

  @Test
  void a101NobodyAskedForIsAProtocolError() {
    CountingBalancer balancer = balancer("endpoints", THREE, "retries", "0");
    Exchange exchange = open(balancer, Request.get("/"));
    exchange.start();
    assertThat(exchange.responded(101)).isEqualTo(Step.REPLY);
    assertThat(exchange.reply()).isEqualTo(LocalReply.PROTOCOL_ERROR);
  }

  @Test
  void onlyABodilessHttp11RequestWithBothUpgradeFieldsIsAnUpgrade() {
    CountingBalancer balancer = balancer("endpoints", THREE);
    assertThat(open(balancer, Request.get("/").websocket()).isUpgrade()).isTrue();
    assertThat(open(balancer, Request.get("/").header("Connection", "keep-alive, Upgrade")
        .header("Upgrade", "my-protocol/2")).isUpgrade()).as("any protocol").isTrue();
    assertThat(open(balancer, Request.get("/").header("Connection", "upgrade")).isUpgrade())
        .as("Connection: upgrade without Upgrade").isFalse();
    assertThat(open(balancer, Request.get("/").header("Upgrade", "websocket")).isUpgrade())
        .as("Upgrade without Connection: upgrade").isFalse();
    assertThat(open(balancer, Request.get("/").websocket().protocol("HTTP/2.0")).isUpgrade())
        .isFalse();
    assertThat(open(balancer, Request.get("/").websocket().protocol("HTTP/1.0")).isUpgrade())
        .isFalse();
    assertThat(open(balancer, Request.get("/").header("Connection", "Upgrade, HTTP2-Settings")
        .header("Upgrade", "h2c")).isUpgrade()).as("h2c is the container's").isFalse();
    assertThat(open(balancer, Request.get("/").websocket().header("Content-Length", "5"))
        .isUpgrade()).as("a body").isFalse();
    assertThat(open(balancer, Request.get("/").websocket().header("Transfer-Encoding", "chunked"))
        .isUpgrade()).as("a chunked body").isFalse();
    assertThat(open(balancer, Request.get("/").websocket().header("Content-Length", "0"))
        .isUpgrade()).isTrue();
  }

  @Test
  void theClientLeavingCountsAgainstNobodyAndClosesTheExchange() {
    CountingBalancer balancer = balancer("endpoints", THREE);
    Exchange waiting = open(balancer, Request.get("/"));
    waiting.start();
    assertThat(waiting.failed(Failure.CANCELLED)).isEqualTo(Step.CLOSE);
    Exchange relaying = open(balancer, Request.get("/"));
    relaying.start();
    relaying.responded(200);
    assertThat(relaying.failed(Failure.CANCELLED)).isEqualTo(Step.CLOSE);
    assertThat(balancer.calls).contains("finished " + relaying.upstream() + " 200");
  }

  @Test
  void callsOutOfTurnAreAnsweredWithCloseAndCountNothing() {
    CountingBalancer balancer = balancer("endpoints", THREE);
    Exchange exchange = open(balancer, Request.get("/"));
    assertThat(exchange.responded(200)).isEqualTo(Step.CLOSE);
    exchange.start();
    assertThat(exchange.start()).isEqualTo(Step.CLOSE);
    exchange.responded(200);
    exchange.completed();
    int calls = balancer.calls.size();
    exchange.completed();
    assertThat(exchange.responded(200)).isEqualTo(Step.CLOSE);
    assertThat(exchange.failed(Failure.RESET)).isEqualTo(Step.CLOSE);
    assertThat(balancer.calls).hasSize(calls);
  }

  @Test
  void everyAttemptIsStartedAndEndedOnceInEveryOutcome() {
    CountingBalancer balancer = balancer("endpoints", THREE, "retryOn", "reset,503");
    List<Failure> failures = List.of(Failure.CONNECT, Failure.RESET, Failure.PROTOCOL,
        Failure.TIMEOUT, Failure.CANCELLED);
    for (Failure first : failures) {
      for (int second : new int[] {200, 503, 101}) {
        Exchange exchange = open(balancer, Request.get("/").websocket());
        Step step = exchange.start();
        step = exchange.failed(first);
        if (step == Step.FORWARD) {
          step = exchange.responded(second);
          while (step == Step.FORWARD) {
            step = exchange.failed(Failure.CONNECT);
          }
        }
        if (step == Step.RELAY || step == Step.TUNNEL) {
          exchange.completed();
        }
        assertThat(balancer.inFlight()).as(first + " then " + second).isZero();
      }
    }
  }

  private static HeaderFields fields(String... namesAndValues) {
    return new HeaderFields() {
      @Override
      public int size() {
        return namesAndValues.length / 2;
      }

      @Override
      public String name(int index) {
        return namesAndValues[2 * index];
      }

      @Override
      public String value(int index) {
        return namesAndValues[2 * index + 1];
      }
    };
  }

  static HeaderSink sink(List<String> lines) {
    return new HeaderSink() {
      @Override
      public void add(String name, String value) {
        lines.add("add " + name + ": " + value);
      }

      @Override
      public void set(String name, String value) {
        lines.add("set " + name + ": " + value);
      }
    };
  }
}
