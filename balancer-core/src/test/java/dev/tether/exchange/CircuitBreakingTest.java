package dev.tether.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import dev.tether.api.LocalReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Circuit breaking in the exchange, on a real balancer, a fake clock and a manual pending timer:
 * admission, the pending queue, overflow, the wait's end, the retry budget, and that every slot
 * taken is given back.
 */
final class CircuitBreakingTest {
  private static final String TWO = "10.0.0.1:80,10.0.0.2:80";
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(5 * SECOND);
  private final ManualTimer timer = new ManualTimer(now);
  private final List<CountingBalancer> balancers = new ArrayList<>();
  private final List<DefaultProxy> proxies = new ArrayList<>();

  @AfterEach
  void everySlotIsGivenBack() {
    for (DefaultProxy proxy : proxies) {
      assertThat(proxy.breaker.active()).as("connection slots in use").isZero();
      assertThat(proxy.breaker.pending()).as("requests queued").isZero();
      assertThat(proxy.breaker.retries()).as("retry slots in use").isZero();
    }
    for (CountingBalancer balancer : balancers) {
      assertThat(balancer.inFlight()).as("attempts in flight").isZero();
      balancer.close();
    }
  }

  private DefaultProxy proxy(String... keys) {
    CountingBalancer balancer = new CountingBalancer(keys);
    balancers.add(balancer);
    DefaultProxy proxy = new DefaultProxy(balancer, now::get, timer);
    proxies.add(proxy);
    return proxy;
  }

  /** The steps one exchange's continuation was given, in order. */
  private static final class Steps {
    final List<Step> got = new ArrayList<>();

    synchronized void add(Step step) {
      got.add(step);
    }

    synchronized List<Step> all() {
      return List.copyOf(got);
    }
  }

  private static long overflows(DefaultProxy proxy, String kind) {
    return ((CountingBalancer) proxy.balancer).calls.stream()
        .filter(("overflowed " + kind)::equals).count();
  }

  private static void serve(Exchange exchange) {
    assertThat(exchange.responded(200)).isEqualTo(Step.RELAY);
    exchange.completed();
  }

  @Test
  void twoSlotsAndTwoPendingServeFourOfTwelveAndRefuseEightAtOnce() {
    DefaultProxy proxy = proxy("endpoints", TWO, "tcp.maxConnections", "2",
        "http.http1MaxPendingRequests", "2");
    List<Exchange> exchanges = new ArrayList<>();
    List<Steps> steps = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Exchange exchange = proxy.open(Request.get("/slow"));
      Steps got = new Steps();
      exchange.start(got::add);
      exchanges.add(exchange);
      steps.add(got);
    }
    for (int i = 0; i < 2; i++) {
      assertThat(steps.get(i).all()).as("exchange %d: a slot at once", i)
          .containsExactly(Step.FORWARD);
    }
    for (int i = 2; i < 4; i++) {
      assertThat(steps.get(i).all()).as("exchange %d: queued, no step yet", i).isEmpty();
    }
    for (int i = 4; i < 12; i++) {
      assertThat(steps.get(i).all()).as("exchange %d: refused at once", i)
          .containsExactly(Step.REPLY);
      assertThat(exchanges.get(i).reply()).isEqualTo(LocalReply.OVERFLOW);
      assertThat(exchanges.get(i).attempts()).as("nothing sent").isZero();
    }
    assertThat(LocalReply.OVERFLOW.status()).isEqualTo(503);
    assertThat(LocalReply.OVERFLOW.body()).isEqualTo(
        "upstream connect error or disconnect/reset before headers. reset reason: overflow");
    assertThat(overflows(proxy, "PENDING")).isEqualTo(8);
    assertThat(proxy.breaker.active()).isEqualTo(2);
    assertThat(proxy.breaker.pending()).isEqualTo(2);

    serve(exchanges.get(0));
    assertThat(steps.get(2).all()).as("the oldest waiter gets the freed slot")
        .containsExactly(Step.FORWARD);
    assertThat(steps.get(3).all()).isEmpty();
    assertThat(proxy.breaker.active()).as("handed over, never released").isEqualTo(2);

    assertThat(exchanges.get(1).failed(Failure.RESET)).isEqualTo(Step.REPLY);
    assertThat(steps.get(3).all()).containsExactly(Step.FORWARD);
    serve(exchanges.get(2));
    serve(exchanges.get(3));
    assertThat(proxy.breaker.active()).isZero();
    assertThat(timer.waiting()).as("the admitted waiters' timeouts are cancelled").isZero();
  }

  @Test
  void aRequestQueuedForTheWholeRequestTimeoutIsAnswered504AndLeavesTheQueue() {
    DefaultProxy proxy = proxy("endpoints", TWO, "tcp.maxConnections", "1",
        "requestTimeout", "2s");
    Exchange first = proxy.open(Request.get("/"));
    assertThat(first.start()).isEqualTo(Step.FORWARD);
    Exchange queued = proxy.open(Request.get("/"));
    Steps got = new Steps();
    queued.start(got::add);

    timer.advance(2 * SECOND - 1);
    assertThat(got.all()).as("still waiting just before the request timeout").isEmpty();
    timer.advance(1);
    assertThat(got.all()).containsExactly(Step.REPLY);
    assertThat(queued.reply()).isEqualTo(LocalReply.REQUEST_TIMEOUT);
    assertThat(proxy.breaker.pending()).isZero();

    serve(first);
    assertThat(overflows(proxy, "PENDING")).as("a wait that ran out is no overflow").isZero();
  }

  @Test
  void theWaitCountsAgainstTheRequestTimeout() {
    DefaultProxy proxy = proxy("endpoints", TWO, "tcp.maxConnections", "1",
        "requestTimeout", "10s");
    Exchange first = proxy.open(Request.get("/"));
    first.start();
    Exchange queued = proxy.open(Request.get("/"));
    Steps got = new Steps();
    queued.start(got::add);
    timer.advance(4 * SECOND);
    serve(first);
    assertThat(got.all()).containsExactly(Step.FORWARD);
    assertThat(queued.requestSent()).as("10 s less the 4 s queued")
        .isEqualTo(6 * SECOND);
    serve(queued);
  }

  @Test
  void aClientThatLeavesWhileQueuedFreesItsPlaceAndIsNeverContinued() {
    DefaultProxy proxy = proxy("endpoints", TWO, "tcp.maxConnections", "1",
        "http.http1MaxPendingRequests", "1");
    Exchange first = proxy.open(Request.get("/"));
    first.start();
    Exchange leaving = proxy.open(Request.get("/"));
    Steps got = new Steps();
    leaving.start(got::add);
    assertThat(leaving.failed(Failure.CANCELLED)).isEqualTo(Step.CLOSE);

    Exchange next = proxy.open(Request.get("/"));
    Steps nextGot = new Steps();
    next.start(nextGot::add);
    assertThat(nextGot.all()).as("the queue has room again: queued, not refused").isEmpty();
    serve(first);
    assertThat(got.all()).isEmpty();
    assertThat(nextGot.all()).containsExactly(Step.FORWARD);
    serve(next);
    assertThat(timer.waiting()).isZero();
  }

  @Test
  void blockingStartWaitsOnItsThreadUntilASlotIsFree() throws Exception {
    DefaultProxy proxy = proxy("endpoints", TWO, "tcp.maxConnections", "1",
        "requestTimeout", "0s");
    Exchange first = proxy.open(Request.get("/"));
    first.start();
    Exchange queued = proxy.open(Request.get("/"));
    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<Step> step = CompletableFuture.supplyAsync(() -> {
      waiter.set(Thread.currentThread());
      return queued.start();
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (proxy.breaker.pending() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(proxy.breaker.pending()).as("queued").isEqualTo(1);
    assertThat(step).isNotDone();
    serve(first);
    assertThat(step.get(5, TimeUnit.SECONDS)).isEqualTo(Step.FORWARD);
    serve(queued);
  }

  @Test
  void retriesBeyondMaxRetriesAreNotMadeAndTheAttemptsOwnOutcomeIsAnswered() {
    DefaultProxy proxy = proxy("endpoints", TWO, "http.maxRetries", "1");
    Exchange retried = proxy.open(Request.get("/"));
    retried.start();
    assertThat(retried.failed(Failure.CONNECT)).as("takes the one retry slot")
        .isEqualTo(Step.FORWARD);

    Exchange refused = proxy.open(Request.get("/"));
    refused.start();
    assertThat(refused.failed(Failure.CONNECT)).isEqualTo(Step.REPLY);
    assertThat(refused.reply()).isEqualTo(LocalReply.CONNECTION_FAILURE);
    Exchange answered503 = proxy.open(Request.get("/"));
    answered503.start();
    assertThat(answered503.responded(503)).as("the 503 is relayed, not retried")
        .isEqualTo(Step.RELAY);
    answered503.completed();
    assertThat(overflows(proxy, "RETRY")).isEqualTo(2);

    serve(retried);
    Exchange later = proxy.open(Request.get("/"));
    later.start();
    assertThat(later.failed(Failure.CONNECT)).as("the retry slot is free again")
        .isEqualTo(Step.FORWARD);
    assertThat(later.failed(Failure.CONNECT)).as("its own retry's outcome freed it again")
        .isEqualTo(Step.FORWARD);
    serve(later);
  }

  @Test
  void withIstiosDefaultsNothingIsCountedOrQueued() {
    DefaultProxy proxy = proxy("endpoints", TWO);
    assertThat(proxy.connectionPool().unlimited()).isTrue();
    List<Exchange> open = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Exchange exchange = proxy.open(Request.get("/"));
      assertThat(exchange.start()).isEqualTo(Step.FORWARD);
      open.add(exchange);
    }
    assertThat(proxy.breaker.active()).isZero();
    open.forEach(CircuitBreakingTest::serve);
    assertThat(overflows(proxy, "PENDING")).isZero();
  }

  @Test
  void aPostMeetingAPerTryTimeoutIsNotSentAgainWhateverRetryOnSays() {
    DefaultProxy proxy = proxy("endpoints", TWO, "retryOn", "reset,5xx,gateway-error",
        "perTryTimeout", "1s");
    Exchange post = proxy.open(Request.method("POST"));
    post.start();
    assertThat(post.failed(Failure.TIMEOUT)).isEqualTo(Step.REPLY);
    assertThat(post.reply()).isEqualTo(LocalReply.REQUEST_TIMEOUT);
    assertThat(post.attempts()).isEqualTo(1);
    assertThat(Duration.ofSeconds(1).toNanos()).isEqualTo(SECOND);
  }
}
