package dev.tether.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one scenario contract every Tether front end passes: Envoy's behaviour, as Istio configures
 * it and {@code spec/affinity.md} states it, driven over real sockets on 127.0.0.1 against real
 * backends that refuse, reset, hang, stream, stall, upgrade and speak WebSocket. The front end is
 * a black box: the suite sees only what a client and a backend see, and the balancer's JMX beans.
 * Every expectation is the same for every front end: for a local reply the status,
 * {@code content-type} exactly {@code text/plain}, and the exact body; for a relayed answer the
 * backend's status, fields and bytes.
 *
 * <h2>Plugging in a front end</h2>
 *
 * <p>Add {@code tether-proxy-contract} at test scope and extend this class with a
 * {@code final class ...ContractTest} whose {@link #start} builds the front end from the keys,
 * starts it on 127.0.0.1 and an ephemeral port, and returns it; nothing else is needed:
 *
 * <pre>{@code
 * final class TetherProxyHandlerContractTest extends ProxyContract {
 *   @Override
 *   protected FrontEnd start(Map<String, String> tetherKeys) throws Exception {
 *     Server server = new Server();
 *     ServerConnector connector = new ServerConnector(server);
 *     connector.setHost("127.0.0.1");
 *     server.addConnector(connector);
 *     server.setHandler(TetherProxyHandler.fromProperties(tetherKeys, Path.of("")));
 *     server.start();
 *     return FrontEnd.of(connector.getLocalPort(), server::stop);
 *   }
 * }
 * }</pre>
 *
 * <p>(For a valve: {@code tetherKeys.forEach(valve::setProperty)} on an embedded Tomcat; for a
 * servlet: init-parameters, {@code tether.}-prefixed where the container's own servlet reads a
 * parameter of the same name, as Jetty's {@code ProxyServlet} reads {@code idleTimeout}.)
 *
 * <p>What {@link #start} must honour:
 *
 * <ul>
 *   <li>The keys are Tether configuration keys without the {@code tether.} prefix
 *       ({@code endpoints}, {@code sessionHeader}, {@code sessionCookie}, {@code sessionStrict},
 *       {@code retryOn}, {@code retries}, {@code requestTimeout}, {@code perTryTimeout},
 *       {@code idleTimeout}, {@code panicThreshold}, ...), to be applied as they are.
 *   <li>They always include a unique {@code name} ({@code contract-<n>}). The front end's balancer
 *       must be built with it, so that its beans are {@code dev.tether:type=Balancer,name=<name>}
 *       (attribute {@code OpenTunnels}) and
 *       {@code dev.tether:type=Endpoint,balancer=<name>,address="<ip:port>"} (attributes
 *       {@code RequestsInFlight}, {@code OpenTunnels}) on the platform MBean server: the suite
 *       reads them after every scenario, and while a WebSocket is open.
 *   <li>{@link FrontEnd#close()} stops the server and closes the balancer it built: the suite
 *       checks that its JMX bean is gone afterwards.
 *   <li>Threads: after a scenario no thread may be inside {@code dev.tether.} code except those
 *       named {@code tether-*} (Tether's own idle background and I/O threads) and threads idle in
 *       the container's pool or selector (see {@code Books}). In particular an open tunnel must
 *       hold no thread.
 * </ul>
 *
 * <p>After every scenario {@link #booksBalance()} checks JMX, the backends' connections and the
 * threads ({@code Books}), then closes the front ends and the backends. Each scenario starts its
 * own front end (one configuration each) and its own backends: they cost a few milliseconds,
 * and fresh counters make "delivered exactly once" and "never connected to" exact. HTTP/2 prior
 * knowledge (h2c) is out of scope here: the in-JVM suite is HTTP/1.1.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class ProxyContract {
  /** The session header the scenarios configure. */
  static final String SESSION_HEADER = "x-tether-session";
  /** The session cookie the scenarios configure. */
  static final String SESSION_COOKIE = "tether-session";
  /** Envoy's local reply when no endpoint can serve. */
  static final String NO_HEALTHY_UPSTREAM = "no healthy upstream";
  /** Envoy's local reply when the last attempt could not connect. */
  static final String CONNECTION_FAILURE =
      "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
  /** Envoy's local reply when the last attempt's response could not be parsed. */
  static final String PROTOCOL_ERROR = "upstream connect error or disconnect/reset before"
      + " headers. reset reason: protocol error";
  /** Envoy's local reply when the last attempt's connection ended before a response head. */
  static final String CONNECTION_TERMINATION = "upstream connect error or disconnect/reset before"
      + " headers. reset reason: connection termination";
  /** Envoy's local reply when circuit breaking refuses a request. */
  static final String OVERFLOW =
      "upstream connect error or disconnect/reset before headers. reset reason: overflow";
  /** Envoy's local reply when no response head came within the request timeout. */
  static final String REQUEST_TIMEOUT = "upstream request timeout";
  /** RFC 6455 section 1.3's sample key and the accept value it gives. */
  static final String WEBSOCKET_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  static final String WEBSOCKET_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

  private static final AtomicInteger BALANCERS = new AtomicInteger();
  private static final String INSTANCE = Backend.INSTANCE_HEADER;

  private final List<Backend> backends = new ArrayList<>();
  private final List<FrontEnd> frontEnds = new ArrayList<>();
  private final List<Books.Balancer> balancers = new ArrayList<>();

  /**
   * Starts the front end under test on 127.0.0.1 and an ephemeral port, configured with
   * {@code tetherKeys} (see the class comment).
   */
  protected abstract FrontEnd start(Map<String, String> tetherKeys) throws Exception;

  /**
   * The books check ({@link Books}), then everything closed; a front end's balancer must be gone
   * from JMX once the front end is closed.
   */
  @AfterEach
  final void booksBalance() {
    try {
      Books.balance(balancers, backends);
    } finally {
      for (int i = frontEnds.size() - 1; i >= 0; i--) {
        frontEnds.get(i).close();
      }
      for (Backend backend : backends) {
        backend.close();
      }
    }
    for (Books.Balancer balancer : balancers) {
      Await.until(Books.DEADLINE, "closing the front end to close its balancer "
          + balancer.beans().balancerName(), () -> !balancer.beans().registered());
    }
  }

  // --- 1. relaying --------------------------------------------------------------------------

  @Test
  void getIsRelayedWithTheBackendsStatusFieldsAndBody() throws Exception {
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(alpha));

    RawResponse response = get(port, "/cookies?q=1", "Host: contract.example:8080",
        "Accept: text/plain");

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    assertThat(response.field(INSTANCE)).isEqualTo("alpha");
    assertThat(response.fields().all("content-type")).containsExactly(AnsweringBackend.ECHO_TYPE);
    assertThat(response.fields().all("set-cookie"))
        .as("every Set-Cookie, in order, each its own field")
        .containsExactly(AnsweringBackend.COOKIE_A, AnsweringBackend.COOKIE_B);
    ReceivedRequest received = only(alpha);
    assertThat(response.body()).as("the body, byte for byte").isEqualTo(received.echo());
    assertThat(response.complete()).isTrue();
    assertThat(received.method()).isEqualTo("GET");
    assertThat(received.target()).isEqualTo("/cookies?q=1");
    assertThat(received.fields().all("host")).as("Host as the client sent it")
        .containsExactly("contract.example:8080");
    assertThat(received.fields().all("accept")).containsExactly("text/plain");
    assertThat(received.fields().all("x-forwarded-for")).containsExactly("127.0.0.1");
    assertThat(received.fields().all("x-forwarded-proto")).containsExactly("http");
    assertPlainRequest(received);
  }

  @Test
  void postBodyIsDeliveredOnceAndXForwardedForIsAppendedTo() throws Exception {
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(alpha));
    byte[] body = pattern(100_000, 7);

    RawResponse response = post(port, "/submit", body, "X-Forwarded-For: 203.0.113.9",
        "Content-Type: application/octet-stream");

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    ReceivedRequest received = only(alpha);
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.body()).as("the body, whole and once").isEqualTo(body);
    assertThat(received.fields().all("content-type")).containsExactly("application/octet-stream");
    assertThat(received.fields().all("x-forwarded-for")).as("Envoy appends the client")
        .containsExactly("203.0.113.9,127.0.0.1");
    assertThat(received.fields().all("x-forwarded-proto")).containsExactly("http");
    assertThat(response.body()).isEqualTo(received.echo());
    assertPlainRequest(received);
  }

  @Test
  void hopByHopFieldsAreDroppedBothWays() throws Exception {
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(alpha));

    RawResponse response = get(port, "/hop-by-hop", "Connection: x-client-hop",
        "x-client-hop: 1", "Keep-Alive: timeout=99", "Proxy-Connection: keep-alive",
        "x-client-kept: 1");

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    ReceivedRequest received = only(alpha);
    assertThat(received.fields().lowerCaseNames())
        .as("the client's hop-by-hop fields, and those its Connection lists, stay on its hop")
        .doesNotContain("x-client-hop", "keep-alive", "proxy-connection")
        .contains("x-client-kept");
    assertThat(received.fields().lists("connection", "x-client-hop")).isFalse();
    assertPlainRequest(received);

    assertThat(response.fields().lowerCaseNames())
        .as("the backend's hop-by-hop fields stay on its hop")
        .doesNotContain("x-backend-hop", "proxy-connection", "upgrade")
        .contains("x-backend-kept");
    assertThat(response.fields().all("keep-alive")).noneMatch(value -> value.contains("max=7"));
    assertThat(response.fields().lists("connection", "x-backend-hop")).isFalse();
    assertThat(response.fields().lists("connection", "upgrade")).isFalse();
  }

  // --- 2. no endpoint -------------------------------------------------------------------------

  @Test
  void noHealthyEndpointIsAnswered503NoHealthyUpstream() throws Exception {
    AnsweringBackend alpha = answering("alpha");
    // Panic off: with Envoy's default threshold an all-unhealthy set routes to all of them.
    int port = frontEndWith(alpha.address() + ";health=UNHEALTHY", List.of(alpha),
        "panicThreshold", "0");

    assertLocalReply(get(port, "/"), 503, NO_HEALTHY_UPSTREAM);
    assertThat(alpha.connectionsAccepted()).as("an unhealthy endpoint is not connected to")
        .isZero();
  }

  // --- 3. connect failures ----------------------------------------------------------------------

  @Test
  void postToARefusingEndpointIsAnswered503ConnectionFailure() throws Exception {
    RefusingBackend gone = refusing("gone");
    int port = frontEnd(List.of(gone));

    assertLocalReply(post(port, "/submit", bytes("payload")), 503, CONNECTION_FAILURE);
  }

  @Test
  void connectFailureIsRetriedEvenForAPostAndTheBodyDeliveredOnce() throws Exception {
    RefusingBackend gone = refusing("gone");
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(gone, alpha), "sessionHeader", SESSION_HEADER);

    RawResponse response = post(port, "/submit", bytes("payload-1"), session(gone));

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    assertThat(response.field(INSTANCE)).isEqualTo("alpha");
    assertThat(only(alpha).text()).isEqualTo("payload-1");
    assertThat(response.fields().all(SESSION_HEADER)).as("the retry moved the session")
        .containsExactly(SessionValues.header(alpha.address()));
  }

  // --- 4. resets --------------------------------------------------------------------------------

  @Test
  void resetBeforeTheHeadIsAnswered503ConnectionTerminationAndNotRetriedByDefault()
      throws Exception {
    ResettingBackend reset = resetting("reset");
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(reset, alpha), "sessionHeader", SESSION_HEADER);

    assertLocalReply(get(port, "/", session(reset)), 503, CONNECTION_TERMINATION);
    assertThat(reset.requests()).as("the default retryOn has no reset").hasSize(1);
    assertThat(alpha.connectionsAccepted()).isZero();
  }

  @Test
  void resetIsRetriedUnderRetryOnResetAndTheSessionMoves() throws Exception {
    ResettingBackend reset = resetting("reset");
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(reset, alpha), "sessionHeader", SESSION_HEADER,
        "retryOn", "reset");

    RawResponse response = get(port, "/", session(reset));

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    assertThat(response.field(INSTANCE)).isEqualTo("alpha");
    assertThat(reset.requests()).hasSize(1);
    assertThat(alpha.requests()).hasSize(1);
    assertThat(response.fields().all(SESSION_HEADER))
        .containsExactly(SessionValues.header(alpha.address()));
  }

  /**
   * A response framed both by {@code Content-Length} and {@code Transfer-Encoding} is refused
   * before anything reaches the client (RFC 9112 section 6.3 lets a proxy relay neither reading;
   * Envoy refuses it): 503 protocol error, not retried by the default {@code retryOn}.
   */
  @Test
  void responseFramedTwoWaysIsAnswered503ProtocolErrorWithNothingOfItRelayed() throws Exception {
    MalformedBackend twice = add(MalformedBackend.start("twice", MalformedBackend.TWO_FRAMINGS));
    int port = frontEnd(List.of(twice));

    assertLocalReply(get(port, "/"), 503, PROTOCOL_ERROR);
    assertThat(twice.requests()).hasSize(1);
  }

  /** A bare CR inside a response field is refused the same way: a later hop could split on it. */
  @Test
  void responseWithABareCrInAFieldIsAnswered503ProtocolError() throws Exception {
    MalformedBackend bareCr = add(MalformedBackend.start("bare-cr", MalformedBackend.BARE_CR));
    int port = frontEnd(List.of(bareCr));

    assertLocalReply(get(port, "/"), 503, PROTOCOL_ERROR);
    assertThat(bareCr.requests()).hasSize(1);
  }

  /**
   * Tether's own rule, stricter than Envoy (which retries whatever the method when
   * {@code retry_on} matches, having buffered the body): a request that may have reached a
   * backend is sent again only when its method is idempotent.
   */
  @Test
  void postIsNeverSentAgainAfterAResetWhateverRetryOnSays() throws Exception {
    ResettingBackend reset = resetting("reset");
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(reset, alpha), "sessionHeader", SESSION_HEADER,
        "retryOn", "reset,5xx");

    assertLocalReply(post(port, "/submit", bytes("pay once"), session(reset)), 503,
        CONNECTION_TERMINATION);
    assertThat(only(reset).text()).as("delivered whole, exactly once").isEqualTo("pay once");
    assertThat(alpha.connectionsAccepted()).isZero();
  }

  // --- 5. timeouts before the head ------------------------------------------------------------

  @Test
  void backendThatNeverAnswersIsAnswered504AfterTheRequestTimeout() throws Exception {
    HangingBackend hang = hanging("hang");
    int port = frontEnd(List.of(hang), "requestTimeout", "1s");

    long start = System.nanoTime();
    RawResponse response = get(port, "/");
    Duration waited = since(start);

    assertLocalReply(response, 504, REQUEST_TIMEOUT);
    assertThat(waited).as("the request timeout, not sooner, and not the container's own")
        .isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
    assertThat(hang.requests()).hasSize(1);
    Await.until(Books.DEADLINE, "the hanging backend's connection to be closed",
        () -> hang.busyConnections() == 0);
  }

  @Test
  void perTryTimeoutIsRetriedOnAnotherEndpoint() throws Exception {
    HangingBackend hang = hanging("hang");
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(hang, alpha), "sessionHeader", SESSION_HEADER,
        "perTryTimeout", "500ms", "retryOn", "reset");

    long start = System.nanoTime();
    RawResponse response = get(port, "/", session(hang));
    Duration waited = since(start);

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    assertThat(response.field(INSTANCE)).isEqualTo("alpha");
    assertThat(waited).isBetween(Duration.ofMillis(450), Duration.ofSeconds(10));
    assertThat(hang.requests()).hasSize(1);
    assertThat(response.fields().all(SESSION_HEADER))
        .containsExactly(SessionValues.header(alpha.address()));
  }

  /**
   * Envoy counts a timeout as a locally originated failure, which with
   * {@code split_external_local_origin_errors} off (Istio's) is a 504 for outlier detection: a
   * backend that hangs is ejected by its timeouts alone.
   */
  @Test
  void backendThatHangsIsEjectedByItsTimeouts() throws Exception {
    HangingBackend hang = hanging("hang");
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(hang, alpha), "sessionHeader", SESSION_HEADER,
        "perTryTimeout", "300ms", "consecutiveGatewayErrors", "3", "maxEjectionPercent", "100");

    for (int i = 0; i < 3; i++) {
      assertLocalReply(get(port, "/", session(hang)), 504, REQUEST_TIMEOUT);
    }
    Await.until(Books.DEADLINE, "the hanging endpoint to be ejected after 3 timeouts",
        () -> beans().ejected(hang.address()));
    assertThat(beans().endpointCounter(hang.address(), "Timeouts")).isEqualTo(3);
    assertThat(beans().endpointCounter(hang.address(), "Ejections")).isEqualTo(1);
    assertThat(beans().ejected(alpha.address())).isFalse();

    RawResponse moved = get(port, "/", session(hang));
    assertThat(moved.status()).as("%s", moved).isEqualTo(200);
    assertThat(moved.field(INSTANCE)).isEqualTo("alpha");
    assertThat(hang.requests()).as("an ejected endpoint gets no request").hasSize(3);
  }

  /** As a reset: a POST whose attempt timed out may have been acted upon, so it is answered. */
  @Test
  void postThatTimesOutIsNeverSentAgainWhateverRetryOnSays() throws Exception {
    HangingBackend hang = hanging("hang");
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(hang, alpha), "sessionHeader", SESSION_HEADER,
        "perTryTimeout", "300ms", "retryOn", "reset,5xx,gateway-error", "retries", "3");

    assertLocalReply(post(port, "/submit", bytes("pay once"), session(hang)), 504,
        REQUEST_TIMEOUT);
    assertThat(only(hang).text()).as("delivered whole, exactly once").isEqualTo("pay once");
    assertThat(alpha.connectionsAccepted()).isZero();
  }

  // --- 5b. circuit breaking -------------------------------------------------------------------

  /**
   * Istio's {@code connectionPool} as Envoy enforces it: two connections to the cluster, two
   * requests pending; of twelve slow requests at once, four are served (two at once, then the
   * two that waited) and eight are answered 503 overflow at once, long before the first slow
   * answer, and counted in JMX.
   */
  @Test
  void requestsBeyondTheConnectionsAndThePendingQueueAreAnswered503OverflowAtOnce()
      throws Exception {
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(alpha), "tcp.maxConnections", "2",
        "http.http1MaxPendingRequests", "2");
    int slowMillis = 2000;

    ExecutorService clients = Executors.newFixedThreadPool(12);
    List<Long> overflowMillis = new ArrayList<>();
    List<Long> servedMillis = new ArrayList<>();
    try {
      long start = System.nanoTime();
      List<Future<Timed>> answers = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        answers.add(clients.submit(() -> {
          RawResponse response = get(port, "/slow/" + slowMillis);
          return new Timed(response, since(start).toMillis());
        }));
      }
      for (Future<Timed> answer : answers) {
        Timed timed = answer.get(20, TimeUnit.SECONDS);
        if (timed.response().status() == 200) {
          assertThat(timed.response().field(INSTANCE)).isEqualTo("alpha");
          servedMillis.add(timed.millis());
        } else {
          assertLocalReply(timed.response(), 503, OVERFLOW);
          overflowMillis.add(timed.millis());
        }
      }
    } finally {
      clients.shutdownNow();
      assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(overflowMillis).as("answered at once, long before the first slow answer")
        .hasSize(8).allMatch(millis -> millis < slowMillis * 3 / 4);
    assertThat(servedMillis).as("the two that waited are served after the first two")
        .hasSize(4).filteredOn(millis -> millis >= 2L * slowMillis - 200).hasSize(2);
    int served = servedMillis.size();
    int overflowed = overflowMillis.size();
    assertThat(served).as("two at once, then the two that waited").isEqualTo(4);
    assertThat(overflowed).isEqualTo(8);
    assertThat(alpha.requests()).as("only the admitted reach the backend").hasSize(4);
    assertThat(alpha.mostAtOnce()).as("never more than tcp.maxConnections at once")
        .isEqualTo(2);
    assertThat(beans().balancerCounter("PendingOverflows")).isEqualTo(8);
    assertThat(beans().balancerCounter("RetryOverflows")).isZero();
  }

  /** Envoy's {@code max_requests_per_connection}: a backend connection is closed after N. */
  @Test
  void backendConnectionsCarryAtMostMaxRequestsPerConnection() throws Exception {
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(alpha), "http.maxRequestsPerConnection", "2");

    for (int i = 0; i < 4; i++) {
      RawResponse response = get(port, "/n" + i);
      assertThat(response.status()).as("%s", response).isEqualTo(200);
    }
    assertThat(alpha.requests()).hasSize(4);
    // At most two on each: four requests need at least two connections (one without the limit).
    // More may open when a request arrives before the last one's connection is back in the
    // front end's pool, which the client cannot see; that costs a connection, not correctness.
    assertThat(alpha.connectionsAccepted()).as("at most two requests on each connection")
        .isBetween(2, 4);
  }

  // --- 6. streams and the idle timeout --------------------------------------------------------

  @Test
  void streamLongerThanTheRequestTimeoutIsRelayedAsItComesAndWhole() throws Exception {
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(alpha), "requestTimeout", "1s");

    try (RawClient client = RawClient.connect(port)) {
      client.send("GET", "/stream", null, "Accept: text/event-stream");
      HttpWire.Head head = client.readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.fields().first(INSTANCE)).isEqualTo("alpha");
      assertThat(head.fields().all("content-type")).containsExactly("text/event-stream");
      BodyStream body = client.body(head);

      String first = body.readUntil("\n\n");

      assertThat(first).isEqualTo(AnsweringBackend.event(0));
      assertThat(alpha.streamsFinished())
          .as("the first event reached the client while the backend was still writing")
          .isZero();
      String rest = new String(body.readAll(), StandardCharsets.UTF_8);
      assertThat(first + rest).as("not cut by the 1 s request timeout")
          .isEqualTo(AnsweringBackend.streamBody());
      assertThat(body.complete()).isTrue();
    }
  }

  @Test
  void bodyStallingLongerThanTheIdleTimeoutEndsWithTheClientConnectionClosed()
      throws Exception {
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(alpha), "idleTimeout", "1s");

    try (RawClient client = RawClient.connect(port)) {
      long start = System.nanoTime();
      client.send("GET", "/stall", null);
      HttpWire.Head head = client.readHead();
      assertThat(head.status()).isEqualTo(200);
      BodyStream body = client.body(head);

      byte[] received = body.readAll();

      assertThat(since(start)).as("closed after the idle timeout, not sooner")
          .isGreaterThanOrEqualTo(Duration.ofMillis(900));
      assertThat(new String(received, StandardCharsets.US_ASCII))
          .as("what the backend sent, and nothing appended (no error page)")
          .isEqualTo("s".repeat(AnsweringBackend.STALL_SENT));
      assertThat(body.complete()).as("the body must look cut, not whole").isFalse();
    }
  }

  /**
   * {@code idleTimeout} counts silence during an attempt, not the time a connection spent idle in
   * the pool before it ({@code http.idleTimeout}, 1 h): a connection pooled for longer than it
   * carries the next request, and that request's stream, paused less than it between events, is
   * relayed whole. (A relay that measured the pooled connection's silence failed such a request
   * as a timeout, or cut its body, the moment the attempt set its idle timeout.)
   */
  @Test
  void backendConnectionPooledLongerThanTheIdleTimeoutCarriesTheNextRequestWhole()
      throws Exception {
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(alpha), "idleTimeout", "1s");
    assertThat(get(port, "/first").status()).isEqualTo(200);

    Thread.sleep(1500);

    try (RawClient client = RawClient.connect(port)) {
      client.send("GET", "/stream", null, "Accept: text/event-stream");
      HttpWire.Head head = client.readHead();
      assertThat(head.status()).isEqualTo(200);
      BodyStream body = client.body(head);
      assertThat(new String(body.readAll(), StandardCharsets.UTF_8))
          .isEqualTo(AnsweringBackend.streamBody());
      assertThat(body.complete()).isTrue();
    }
    assertThat(alpha.requests()).hasSize(2);
  }

  // --- 7. retried statuses and strict sessions --------------------------------------------------

  @Test
  void backend503IsRetriedForAGet() throws Exception {
    AnsweringBackend sick = answering("sick").answerEverythingWith(503);
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(sick, alpha), "sessionHeader", SESSION_HEADER);

    RawResponse response = get(port, "/", session(sick));

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    assertThat(response.field(INSTANCE)).isEqualTo("alpha");
    assertThat(sick.requests()).hasSize(1);
    assertThat(alpha.requests()).hasSize(1);
    assertThat(response.fields().all(SESSION_HEADER))
        .containsExactly(SessionValues.header(alpha.address()));
  }

  @Test
  void backend503IsRelayedAsItIsWhenRetriesRunOut() throws Exception {
    AnsweringBackend sick = answering("sick").answerEverythingWith(503);
    AnsweringBackend worse = answering("worse").answerEverythingWith(503);
    int port = frontEnd(List.of(sick, worse), "retries", "2");

    RawResponse response = get(port, "/");

    assertThat(response.status()).as("%s", response).isEqualTo(503);
    String last = response.field(INSTANCE);
    assertThat(last).as("the backend's own answer, not a local reply").isIn("sick", "worse");
    assertThat(response.text()).isEqualTo("status 503 from " + last);
    assertThat(sick.requests().size() + worse.requests().size())
        .as("the first attempt and 2 retries").isEqualTo(3);
  }

  @Test
  void strictSessionWhoseBackendRefusesIsAnswered503AndNeverMoves() throws Exception {
    RefusingBackend gone = refusing("gone");
    AnsweringBackend alpha = answering("alpha");
    int port = frontEnd(List.of(gone, alpha), "sessionHeader", SESSION_HEADER,
        "sessionStrict", "true");

    RawResponse response = get(port, "/", session(gone));

    assertLocalReply(response, 503, CONNECTION_FAILURE);
    assertThat(alpha.connectionsAccepted()).as("a strict session is never moved").isZero();
    assertThat(response.fields().has(SESSION_HEADER)).isFalse();
  }

  @Test
  void strictSessionNamingNoEndpointIsAnswered503NoHealthyUpstream() throws Exception {
    AnsweringBackend alpha = answering("alpha");
    AnsweringBackend stranger = answering("stranger");
    int port = frontEnd(List.of(alpha), "sessionHeader", SESSION_HEADER,
        "sessionStrict", "true");

    assertLocalReply(get(port, "/", session(stranger)), 503, NO_HEALTHY_UPSTREAM);
    assertThat(stranger.connectionsAccepted()).as("an address that is no endpoint").isZero();
    assertThat(alpha.connectionsAccepted()).isZero();
  }

  @Test
  void sessionNamingAnAddressThatIsNoEndpointIsNeverConnectedTo() throws Exception {
    AnsweringBackend alpha = answering("alpha");
    AnsweringBackend stranger = answering("stranger");
    int port = frontEnd(List.of(alpha), "sessionHeader", SESSION_HEADER);

    RawResponse response = get(port, "/", session(stranger));

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    assertThat(response.field(INSTANCE)).isEqualTo("alpha");
    assertThat(stranger.connectionsAccepted()).isZero();
    assertThat(response.fields().all(SESSION_HEADER))
        .containsExactly(SessionValues.header(alpha.address()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "not Base64|%%%",
      "Base64 of no address|bm90LWFuLWFkZHJlc3M=",
      "an IP without port|MTI3LjAuMC4x",
      "empty|",
      "padding only|=="})
  void malformedSessionHeaderIsNoSession(String valueCase) throws Exception {
    String value = valueCase.substring(valueCase.indexOf('|') + 1);
    AnsweringBackend alpha = answering("alpha");
    AnsweringBackend beta = answering("beta");
    int port = frontEnd(List.of(alpha, beta), "sessionHeader", SESSION_HEADER);

    RawResponse response = get(port, "/", SESSION_HEADER + ": " + value);

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    Backend served = servedBy(response, alpha, beta);
    assertThat(response.fields().all(SESSION_HEADER))
        .as("a new session, naming the backend that answered")
        .containsExactly(SessionValues.header(served.address()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "not Base64|%%%",
      "a length that is no multiple of 4|\"abc\"",
      "empty, quoted|\"\"",
      "protobuf with an empty address|CgA=",
      "no protobuf, no address|////",
      "Base64 of no address|\"bm90LWFuLWFkZHJlc3M=\""})
  void malformedSessionCookieIsNoSession(String valueCase) throws Exception {
    String value = valueCase.substring(valueCase.indexOf('|') + 1);
    AnsweringBackend alpha = answering("alpha");
    AnsweringBackend beta = answering("beta");
    int port = frontEnd(List.of(alpha, beta), "sessionCookie", SESSION_COOKIE);

    RawResponse response = get(port, "/", "Cookie: " + SESSION_COOKIE + "=" + value);

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    Backend served = servedBy(response, alpha, beta);
    assertThat(response.fields().all("set-cookie"))
        .containsExactly(SessionValues.setCookie(SESSION_COOKIE, served.address()));
  }

  // --- 8. sessions ------------------------------------------------------------------------------

  @Test
  void headerSessionPinsEveryRequestToTheBackendItNames() throws Exception {
    List<Backend> three = List.of(answering("alpha"), answering("beta"), answering("gamma"));
    int port = frontEnd(three, "sessionHeader", SESSION_HEADER);

    RawResponse first = get(port, "/cart");
    assertThat(first.status()).as("%s", first).isEqualTo(200);
    Backend pinned = servedBy(first, three);
    assertThat(first.fields().all(SESSION_HEADER))
        .as("the first response names the backend that answered (Base64 of ip:port)")
        .containsExactly(SessionValues.header(pinned.address()));

    for (int i = 0; i < 10; i++) {
      RawResponse next = get(port, "/cart/" + i, session(pinned));
      assertThat(next.field(INSTANCE)).isEqualTo(pinned.name());
      assertThat(next.fields().has(SESSION_HEADER))
          .as("the request named the endpoint that served it: nothing to write").isFalse();
    }
    for (Backend backend : three) {
      RawResponse named = get(port, "/", session(backend));
      assertThat(named.field(INSTANCE)).isEqualTo(backend.name());
      assertThat(named.fields().has(SESSION_HEADER)).isFalse();
    }
  }

  @Test
  void cookieSessionPinsEveryRequestToTheBackendItNames() throws Exception {
    List<Backend> three = List.of(answering("alpha"), answering("beta"), answering("gamma"));
    int port = frontEnd(three, "sessionCookie", SESSION_COOKIE);

    RawResponse first = get(port, "/cart");
    assertThat(first.status()).as("%s", first).isEqualTo(200);
    Backend pinned = servedBy(first, three);
    assertThat(first.fields().all("set-cookie"))
        .as("Envoy's cookie: quoted Base64 of the protobuf address, Path=/, HttpOnly")
        .containsExactly(SessionValues.setCookie(SESSION_COOKIE, pinned.address()));

    for (int i = 0; i < 10; i++) {
      RawResponse next = get(port, "/cart/" + i, cookie(pinned));
      assertThat(next.field(INSTANCE)).isEqualTo(pinned.name());
      assertThat(next.fields().has("set-cookie")).isFalse();
    }
    for (Backend backend : three) {
      RawResponse named = get(port, "/", "Cookie: other=1", cookie(backend));
      assertThat(named.field(INSTANCE)).isEqualTo(backend.name());
      assertThat(named.fields().has("set-cookie")).isFalse();
    }
  }

  // --- 9. WebSocket -----------------------------------------------------------------------------

  @Test
  void webSocketHandshakeAndMessagesPassBothWays() throws Exception {
    WebSocketBackend alpha = webSocket("ws-alpha");
    int port = frontEnd(List.of(alpha));

    try (WebSocketClient socket = WebSocketClient.open(port, "/chat")) {
      assertThat(socket.next()).as("the backend speaks first").isEqualTo(alpha.welcome());
      for (int i = 0; i < 5; i++) {
        socket.send("hello " + i);
        assertThat(socket.next()).isEqualTo(alpha.echo("hello " + i));
      }
      String large = "x".repeat(200_000);
      socket.send(large);
      assertThat(socket.next()).isEqualTo(alpha.echo(large));
    }
    assertThat(alpha.socketsOpened()).isEqualTo(1);
  }

  @Test
  void webSocketLandsOnTheBackendOfTheSessionAPlainRequestGot() throws Exception {
    WebSocketBackend alpha = webSocket("ws-alpha");
    WebSocketBackend beta = webSocket("ws-beta");
    WebSocketBackend gamma = webSocket("ws-gamma");
    List<Backend> three = List.of(alpha, beta, gamma);
    int port = frontEnd(three, "sessionHeader", SESSION_HEADER);

    RawResponse plain = get(port, "/");
    assertThat(plain.status()).as("%s", plain).isEqualTo(200);
    WebSocketBackend pinned = (WebSocketBackend) servedBy(plain, three);
    String session = plain.field(SESSION_HEADER);
    assertThat(session).isEqualTo(SessionValues.header(pinned.address()));

    try (WebSocketClient socket = WebSocketClient.open(port, "/chat", SESSION_HEADER, session)) {
      assertThat(socket.next()).isEqualTo(pinned.welcome());
      socket.send("where am I");
      assertThat(socket.next()).isEqualTo(pinned.echo("where am I"));
    }
    for (Backend backend : three) {
      WebSocketBackend named = (WebSocketBackend) backend;
      try (WebSocketClient socket = WebSocketClient.open(port, "/chat", SESSION_HEADER,
          SessionValues.header(named.address()))) {
        assertThat(socket.next()).isEqualTo(named.welcome());
      }
    }
  }

  @Test
  void webSocket101CarriesTheBackendsAcceptAndTheSessionHeader() throws Exception {
    WebSocketBackend alpha = webSocket("ws-alpha");
    int port = frontEnd(List.of(alpha), "sessionHeader", SESSION_HEADER);

    try (RawClient client = RawClient.connect(port)) {
      client.send("GET", "/chat", null, "Upgrade: websocket", "Connection: Upgrade",
          "Sec-WebSocket-Key: " + WEBSOCKET_KEY, "Sec-WebSocket-Version: 13");
      RawResponse response = client.readResponse();

      assertThat(response.status()).as("%s", response).isEqualTo(101);
      assertThat(response.fields().all("sec-websocket-accept")).containsExactly(WEBSOCKET_ACCEPT);
      assertThat(response.field("upgrade")).isEqualToIgnoringCase("websocket");
      assertThat(response.fields().lists("connection", "upgrade")).isTrue();
      assertThat(response.field(INSTANCE)).isEqualTo("ws-alpha");
      assertThat(response.fields().all(SESSION_HEADER))
          .as("Tether's session header on the 101 of a request without a session")
          .containsExactly(SessionValues.header(alpha.address()));
      ReceivedRequest received = only(alpha);
      assertThat(received.fields().first("sec-websocket-key")).isEqualTo(WEBSOCKET_KEY);
      assertThat(received.fields().first("upgrade")).isEqualToIgnoringCase("websocket");

      byte[] welcome = alpha.welcome().getBytes(StandardCharsets.UTF_8);
      assertThat(client.readExactly(2 + welcome.length))
          .as("the backend's first frame, unmasked text, right after the 101")
          .isEqualTo(textFrame(welcome));
    }
  }

  @Test
  void openWebSocketIsOneOpenTunnelInFlightOnItsEndpointAndHoldsNoThread() throws Exception {
    WebSocketBackend alpha = webSocket("ws-alpha");
    WebSocketBackend beta = webSocket("ws-beta");
    int port = frontEnd(List.of(alpha, beta), "sessionHeader", SESSION_HEADER);
    TetherBeans beans = beans();

    try (WebSocketClient socket = WebSocketClient.open(port, "/chat", SESSION_HEADER,
        SessionValues.header(alpha.address()))) {
      assertThat(socket.next()).isEqualTo(alpha.welcome());
      Await.until(Books.DEADLINE, "JMX to show the open tunnel",
          () -> beans.openTunnels(alpha.address()) == 1);
      assertThat(beans.openTunnels()).isEqualTo(1);
      assertThat(beans.openTunnels(beta.address())).isZero();
      assertThat(beans.requestsInFlight(alpha.address()))
          .as("an open tunnel is in flight: draining waits for it").isEqualTo(1);
      Books.awaitNoThreadInTether("while a WebSocket is open (a tunnel must not hold a thread)");
      socket.send("still here");
      assertThat(socket.next()).isEqualTo(alpha.echo("still here"));
    }
    Await.until(Books.DEADLINE, "JMX to show the tunnel closed",
        () -> beans.openTunnels(alpha.address()) == 0 && beans.openTunnels() == 0);
  }

  // --- 10. raw upgrades -------------------------------------------------------------------------

  @Test
  void upgradedConnectionCarriesBytesBothWays() throws Exception {
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.ECHO);
    int port = frontEnd(List.of(up));

    try (RawClient client = RawClient.connect(port)) {
      RawResponse switched = upgradeRequest(client);
      assertThat(switched.status()).as("%s", switched).isEqualTo(101);
      assertThat(switched.field("upgrade")).isEqualTo(UpgradeBackend.PROTOCOL);
      assertThat(switched.fields().lists("connection", "upgrade")).isTrue();
      assertThat(switched.field(INSTANCE)).isEqualTo("up");
      ReceivedRequest received = only(up);
      assertThat(received.fields().all("upgrade")).containsExactly(UpgradeBackend.PROTOCOL);
      assertThat(received.fields().lists("connection", "upgrade")).isTrue();

      for (int round = 0; round < 4; round++) {
        byte[] chunk = pattern(4096, round);
        client.write(chunk);
        assertThat(client.readExactly(chunk.length)).isEqualTo(chunk);
      }
      Books.awaitNoThreadInTether("while a tunnel is open (a tunnel must not hold a thread)");
    }
  }

  @Test
  void halfCloseFromTheClientLetsTheBackendFinishSending() throws Exception {
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.ECHO);
    int port = frontEnd(List.of(up));

    try (RawClient client = RawClient.connect(port)) {
      assertThat(upgradeRequest(client).status()).isEqualTo(101);
      byte[] sent = pattern(5000, 3);
      client.write(sent);
      client.shutdownOutput();

      byte[] rest = client.readToEnd();

      byte[] tail = UpgradeBackend.tail("up");
      byte[] expected = new byte[sent.length + tail.length];
      System.arraycopy(sent, 0, expected, 0, sent.length);
      System.arraycopy(tail, 0, expected, sent.length, tail.length);
      assertThat(rest).as("the echo, then what the backend sent after our EOF, then EOF")
          .isEqualTo(expected);
    }
  }

  @Test
  void backendClosingMidTunnelEndsTheClientConnectionPromptly() throws Exception {
    UpgradeBackend up = add(UpgradeBackend.closingAfter("up", 64));
    int port = frontEnd(List.of(up));

    try (RawClient client = RawClient.connect(port)) {
      assertThat(upgradeRequest(client).status()).isEqualTo(101);
      byte[] sent = pattern(64, 5);
      client.write(sent);
      assertThat(client.readExactly(64)).isEqualTo(sent);

      long start = System.nanoTime();
      assertThat(client.readToEnd()).isEmpty();
      assertThat(since(start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void silentTunnelIsClosedAfterTheIdleTimeout() throws Exception {
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.ECHO);
    int port = frontEnd(List.of(up), "idleTimeout", "1s");

    try (RawClient client = RawClient.connect(port)) {
      assertThat(upgradeRequest(client).status()).isEqualTo(101);
      long start = System.nanoTime();

      byte[] rest = client.readToEnd();

      assertThat(since(start)).as("closed after the idle timeout, not sooner")
          .isGreaterThanOrEqualTo(Duration.ofMillis(900));
      byte[] tail = UpgradeBackend.tail("up");
      assertThat(rest.length).as("nothing but the backend's own bytes")
          .isLessThanOrEqualTo(tail.length);
      assertThat(rest).as("nothing but the backend's own bytes")
          .isEqualTo(Arrays.copyOf(tail, rest.length));
    }
    Await.until(Books.DEADLINE, "the backend side of the tunnel to be closed",
        () -> up.busyConnections() == 0);
  }

  @Test
  void connectFailureBeforeThe101IsRetriedOnAnotherEndpoint() throws Exception {
    RefusingBackend gone = refusing("gone");
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.ECHO);
    int port = frontEnd(List.of(gone, up), "sessionHeader", SESSION_HEADER);

    try (RawClient client = RawClient.connect(port)) {
      RawResponse switched = upgradeRequest(client, session(gone));
      assertThat(switched.status()).as("%s", switched).isEqualTo(101);
      assertThat(switched.field(INSTANCE)).isEqualTo("up");
      assertThat(switched.fields().all(SESSION_HEADER))
          .containsExactly(SessionValues.header(up.address()));
      client.write(bytes("after a retry"));
      assertThat(client.readExactly(13)).isEqualTo(bytes("after a retry"));
    }
  }

  @Test
  void upgradeAnsweredWithout101IsRelayedAsAResponse() throws Exception {
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.REFUSE);
    int port = frontEnd(List.of(up));

    try (RawClient client = RawClient.connect(port)) {
      RawResponse response = upgradeRequest(client);

      assertThat(response.status()).as("%s", response).isEqualTo(426);
      assertThat(response.field(INSTANCE)).isEqualTo("up");
      assertThat(response.text()).isEqualTo(up.refusal());
      assertThat(response.complete()).isTrue();
    }
    assertThat(up.upgradeRequests()).isEqualTo(1);
  }

  // --- 11. bad input ----------------------------------------------------------------------------

  @Test
  void upgradeRequestWithABodyIsForwardedAsAPlainRequest() throws Exception {
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.ECHO);
    int port = frontEnd(List.of(up));

    RawResponse response = RawClient.exchange(port, "POST", "/tunnel", bytes("hello"),
        "Connection: Upgrade", "Upgrade: " + UpgradeBackend.PROTOCOL);

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    assertThat(response.field(INSTANCE)).isEqualTo("up");
    ReceivedRequest received = only(up);
    assertThat(received.text()).isEqualTo("hello");
    assertPlainRequest(received);
    assertThat(up.upgradeRequests()).isZero();
  }

  @Test
  void connectionUpgradeWithoutUpgradeIsAPlainRequest() throws Exception {
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.ECHO);
    int port = frontEnd(List.of(up));

    RawResponse response = get(port, "/tunnel", "Connection: Upgrade");

    assertThat(response.status()).as("%s", response).isEqualTo(200);
    assertThat(response.field(INSTANCE)).isEqualTo("up");
    assertPlainRequest(only(up));
    assertThat(up.upgradeRequests()).isZero();
  }

  @Test
  void clientClosingBeforeThe101ClosesTheBackendConnection() throws Exception {
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.HOLD);
    // Envoy notices a client leaving at once; a container may only notice at its next write.
    // A short request timeout bounds that write, so either way the backend connection must be
    // closed within the books' deadline.
    int port = frontEnd(List.of(up), "requestTimeout", "2s");

    try (RawClient client = RawClient.connect(port)) {
      upgradeRequestHead(client);
      Await.until(Books.DEADLINE, "the upgrade request to reach the backend",
          () -> up.upgradeRequests() == 1);
    }
    Await.until(Books.DEADLINE, "the backend connection of a client gone before the 101",
        () -> up.busyConnections() == 0);
  }

  @Test
  void clientClosingJustBeforeThe101LeavesNoTunnelOpen() throws Exception {
    UpgradeBackend up = upgrade("up", UpgradeBackend.Mode.DELAYED_101);
    int port = frontEnd(List.of(up));

    try (RawClient client = RawClient.connect(port)) {
      upgradeRequestHead(client);
      Await.until(Books.DEADLINE, "the upgrade request to reach the backend",
          () -> up.upgradeRequests() == 1);
    }
    Await.until(Books.DEADLINE, "the backend to send its 101 after the client left",
        () -> up.tunnelsOpened() == 1);
  }

  // --- backends and front ends ----------------------------------------------------------------

  private AnsweringBackend answering(String name) {
    return add(AnsweringBackend.start(name));
  }

  private RefusingBackend refusing(String name) {
    return add(RefusingBackend.start(name));
  }

  private ResettingBackend resetting(String name) {
    return add(ResettingBackend.start(name));
  }

  private HangingBackend hanging(String name) {
    return add(HangingBackend.start(name));
  }

  private UpgradeBackend upgrade(String name, UpgradeBackend.Mode mode) {
    return add(UpgradeBackend.start(name, mode));
  }

  private WebSocketBackend webSocket(String name) {
    return add(WebSocketBackend.start(name));
  }

  private <B extends Backend> B add(B backend) {
    backends.add(backend);
    return backend;
  }

  /** Starts the front end over {@code endpoints} with these extra keys; returns its port. */
  private int frontEnd(List<? extends Backend> endpoints, String... keyValues) throws Exception {
    StringBuilder list = new StringBuilder();
    for (Backend endpoint : endpoints) {
      list.append(list.length() == 0 ? "" : ",").append(endpoint.address());
    }
    return frontEndWith(list.toString(), endpoints, keyValues);
  }

  /** As above, with the {@code endpoints} value written out. */
  private int frontEndWith(String endpointsValue, List<? extends Backend> endpoints,
      String... keyValues) throws Exception {
    String name = "contract-" + BALANCERS.incrementAndGet();
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("name", name);
    keys.put("endpoints", endpointsValue);
    for (int i = 0; i < keyValues.length; i += 2) {
      keys.put(keyValues[i], keyValues[i + 1]);
    }
    List<String> addresses = new ArrayList<>();
    for (Backend endpoint : endpoints) {
      addresses.add(endpoint.address());
    }
    FrontEnd frontEnd = start(Map.copyOf(keys));
    frontEnds.add(frontEnd);
    TetherBeans beans = new TetherBeans(name);
    balancers.add(new Books.Balancer(beans, addresses));
    assertThat(beans.registered())
        .as("the front end's balancer registered as %s (built with the name key)",
            beans.balancerName())
        .isTrue();
    return frontEnd.port();
  }

  /** The beans of the last front end started. */
  private TetherBeans beans() {
    return balancers.get(balancers.size() - 1).beans();
  }

  // --- requests -------------------------------------------------------------------------------

  private static RawResponse get(int port, String target, String... fieldLines)
      throws IOException {
    return RawClient.exchange(port, "GET", target, null, fieldLines);
  }

  private static RawResponse post(int port, String target, byte[] body, String... fieldLines)
      throws IOException {
    return RawClient.exchange(port, "POST", target, body, fieldLines);
  }

  /** Sends the contract's upgrade request and reads the answer (a 101 has no body). */
  private static RawResponse upgradeRequest(RawClient client, String... fieldLines)
      throws IOException {
    upgradeRequestHead(client, fieldLines);
    return client.readResponse();
  }

  private static void upgradeRequestHead(RawClient client, String... fieldLines)
      throws IOException {
    String[] lines = new String[fieldLines.length + 2];
    lines[0] = "Connection: Upgrade";
    lines[1] = "Upgrade: " + UpgradeBackend.PROTOCOL;
    System.arraycopy(fieldLines, 0, lines, 2, fieldLines.length);
    client.send("GET", "/tunnel", null, lines);
  }

  private static String session(Backend backend) {
    return SESSION_HEADER + ": " + SessionValues.header(backend.address());
  }

  /** The cookie as a browser returns it: the value as set, quotes included. */
  private static String cookie(Backend backend) {
    return "Cookie: " + SESSION_COOKIE + "=\"" + SessionValues.cookie(backend.address()) + "\"";
  }

  // --- assertions -----------------------------------------------------------------------------

  /** Envoy's local reply: this status, {@code content-type: text/plain}, this exact body. */
  private static void assertLocalReply(RawResponse response, int status, String body) {
    assertThat(response.status()).as("%s", response).isEqualTo(status);
    assertThat(response.fields().all("content-type")).as("%s", response)
        .containsExactly("text/plain");
    assertThat(response.text()).as("%s", response).isEqualTo(body);
    assertThat(response.complete()).isTrue();
    assertThat(response.fields().has(INSTANCE)).as("a local reply, not a backend's").isFalse();
  }

  /** A plain request: nothing of an upgrade crossed the proxy. */
  private static void assertPlainRequest(ReceivedRequest received) {
    assertThat(received.fields().has("upgrade")).as("Upgrade on a plain request\n%s",
        received.fields()).isFalse();
    assertThat(received.fields().lists("connection", "upgrade"))
        .as("Connection: upgrade on a plain request\n%s", received.fields()).isFalse();
  }

  private static ReceivedRequest only(Backend backend) {
    List<ReceivedRequest> requests = backend.requests();
    assertThat(requests).as("requests %s received", backend).hasSize(1);
    return requests.get(0);
  }

  private static Backend servedBy(RawResponse response, Backend... candidates) {
    return servedBy(response, List.of(candidates));
  }

  private static Backend servedBy(RawResponse response, List<? extends Backend> candidates) {
    String name = response.field(INSTANCE);
    for (Backend candidate : candidates) {
      if (candidate.name().equals(name)) {
        return candidate;
      }
    }
    throw new AssertionError("not answered by one of " + candidates + ":\n" + response);
  }

  // --- data -----------------------------------------------------------------------------------

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code length} bytes that differ with {@code seed} and position, so a shift shows. */
  private static byte[] pattern(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) ('a' + (i * 31 + seed * 7 + i / 251) % 26);
    }
    return bytes;
  }

  /** An unmasked, final text frame (RFC 6455 section 5.2) with a payload under 126 bytes. */
  private static byte[] textFrame(byte[] payload) {
    byte[] frame = new byte[2 + payload.length];
    frame[0] = (byte) 0x81;
    frame[1] = (byte) payload.length;
    System.arraycopy(payload, 0, frame, 2, payload.length);
    return frame;
  }

  /** A response and when it came, in milliseconds from the scenario's start. */
  private record Timed(RawResponse response, long millis) {}

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
