package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.it.harness.Backend;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.Curl;
import dev.tether.it.harness.Layout;
import dev.tether.it.harness.ProbeServer;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.RawConnection;
import dev.tether.it.harness.Reply;
import dev.tether.it.harness.WebSocketClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proxy exchange end to end, written once and run on every container (a subclass per
 * distribution names its {@link ContainerKind}): WebSocket through the container to the demo
 * backends' echo, Envoy's local replies, the request and idle timeouts, and HTTP/2 from clients.
 *
 * <p>Every local reply is compared with Envoy's exact text, written out here rather than taken
 * from Tether's code, so that all four containers answer alike and alike with Envoy.
 *
 * <p>Configurations, each started once per class on first use:
 *
 * <ul>
 *   <li>header sessions over the shared backends, every default kept (WebSocket);
 *   <li>"failures": header sessions, {@code sessionStrict=true} (a session is answered rather
 *       than moved, so each failure reaches the client as it happened), {@code requestTimeout=1s},
 *       {@code idleTimeout=1s}, over the shared backends plus a stopped backend (its process
 *       killed before the container starts) and a listening probe marked {@code UNHEALTHY};
 *   <li>"h2c": header sessions on a connector that also speaks clear-text HTTP/2.
 * </ul>
 */
abstract class ExchangeScenarios extends ContainerScenarios {

  /** Envoy's local reply texts (its router's), and the one content type of them all. */
  static final String NO_HEALTHY_UPSTREAM = "no healthy upstream";
  static final String CONNECTION_FAILURE =
      "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
  static final String CONNECTION_TERMINATION = "upstream connect error or disconnect/reset before"
      + " headers. reset reason: connection termination";
  static final String REQUEST_TIMEOUT = "upstream request timeout";
  static final String LOCAL_REPLY_CONTENT_TYPE = "text/plain";

  /** The failures configuration's request and idle timeouts. */
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  /** The least time a timeout may take as a test sees it: {@link #TIMEOUT} less clock slack. */
  static final Duration ALMOST_TIMEOUT = TIMEOUT.minusMillis(100);
  /** How long a backend stalls or delays in the timeout scenarios: well past {@link #TIMEOUT}. */
  static final int BACKEND_SECONDS = 5;

  private String stoppedBackend;
  private ProbeServer unhealthyProbe;

  ExchangeScenarios(ContainerKind kind) {
    super(kind);
  }

  @AfterAll
  void stopProbe() {
    if (unhealthyProbe != null) {
      unhealthyProbe.close();
    }
  }

  /**
   * The failures configuration. The shared backends weigh 10 and the stopped one 1, so that a
   * request without a session (the readiness probe) rarely meets the stopped one, and is retried
   * elsewhere when it does (a connect failure is retried for any request that has no strict
   * session).
   */
  private synchronized ProxyContainer failures() {
    if (stoppedBackend == null) {
      try (Backend doomed = Backend.start("stopped")) {
        stoppedBackend = doomed.address();
        doomed.kill();
      }
      unhealthyProbe = ProbeServer.start();
    }
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("endpoints", backends.all().stream()
        .map(backend -> backend.address() + ";weight=10")
        .collect(Collectors.joining(",", "",
            "," + stoppedBackend + "," + unhealthyProbe.address() + ";health=UNHEALTHY")));
    keys.put("sessionHeader", SessionHeader.NAME);
    keys.put("sessionStrict", "true");
    keys.put("requestTimeout", TIMEOUT.toSeconds() + "s");
    keys.put("idleTimeout", TIMEOUT.toSeconds() + "s");
    return container("failures", keys, Map.of());
  }

  /** Header sessions on a connector that speaks HTTP/1.1 and h2c. */
  private ProxyContainer h2c() {
    return container("h2c", kind::createWithH2c, Map.of(
        "endpoints", backends.endpoints(),
        "sessionHeader", SessionHeader.NAME), Map.of());
  }

  /** The session header value that pins a request to shared backend {@code name}. */
  private String sessionFor(String name) {
    return SessionHeader.of(backends.byName(name).address());
  }

  private static URI webSocketUri(ProxyContainer proxy, String path) {
    URI base = proxy.baseUri();
    return URI.create("ws://" + base.getHost() + ":" + base.getPort() + path);
  }

  /** A WebSocket handshake for {@code path} as a browser sends it, plus {@code extraFields}. */
  private static String upgradeRequest(ProxyContainer proxy, String path, String key,
      String extraFields) {
    return "GET " + path + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + proxy.baseUri().getPort() + "\r\n"
        + "Connection: Upgrade\r\n"
        + "Upgrade: websocket\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\n"
        + extraFields
        + "\r\n";
  }

  /**
   * Asserts a local reply: its status, {@code content-type} exactly {@code text/plain}, the exact
   * body with a matching length, and no backend behind it.
   */
  private static void assertLocalReply(int status, String contentType, String contentLength,
      String instance, String body, int expectedStatus, String expectedBody, String what) {
    assertThat(status).as("%s: status (body %s)", what, body).isEqualTo(expectedStatus);
    assertThat(contentType).as("%s: content-type", what).isEqualTo(LOCAL_REPLY_CONTENT_TYPE);
    assertThat(body).as("%s: body", what).isEqualTo(expectedBody);
    assertThat(contentLength).as("%s: content-length", what)
        .isEqualTo(Integer.toString(expectedBody.getBytes(StandardCharsets.UTF_8).length));
    assertThat(instance).as("%s: answered by the proxy, no backend", what).isNull();
  }

  private static void assertLocalReply(Reply reply, int status, String body, String what) {
    assertLocalReply(reply.status(), reply.header("content-type").orElse(null),
        reply.header("content-length").orElse(null), reply.instance(), reply.body(), status, body,
        what);
  }

  /**
   * A WebSocket through the container: routed by the same decision as any request, so a socket
   * carrying a session lands on the session's backend; the backend's {@code 101} reaches the
   * client with its own headers and Tether's session header; then messages flow both ways.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class WebSockets {

    @Test
    void socketWithTheSessionOfAPlainGetLandsOnItsBackendAndEchoesBothWays() {
      ProxyContainer proxy = headerSessions();
      Reply first = client.get(proxy.baseUri(), "/hello");
      assertThat(first.status()).isEqualTo(200);
      String session = first.header(SessionHeader.NAME).orElseThrow();

      try (WebSocketClient socket = WebSocketClient.connect(webSocketUri(proxy, "/echo"),
          SessionHeader.NAME, session)) {
        for (int i = 1; i <= 5; i++) {
          socket.send("message " + i);
          assertThat(socket.receive()).as("echo %d through %s", i, proxy.label())
              .isEqualTo(first.instance() + ": message " + i);
        }
        String large = "x".repeat(40_000);
        socket.send(large);
        assertThat(socket.receive()).isEqualTo(first.instance() + ": " + large);
      }
    }

    @Test
    void socketsOfEverySessionReachTheirOwnBackend() {
      ProxyContainer proxy = headerSessions();
      for (Backend backend : backends.all()) {
        try (WebSocketClient socket = WebSocketClient.connect(webSocketUri(proxy, "/echo"),
            SessionHeader.NAME, SessionHeader.of(backend.address()))) {
          socket.send("who");
          assertThat(socket.receive()).isEqualTo(backend.name() + ": who");
        }
      }
    }

    @Test
    void handshakeWithoutASessionIs101NamingTheBackendThatEchoesOnTheSameSocket() {
      ProxyContainer proxy = headerSessions();
      String key = RawConnection.newWebSocketKey();
      try (RawConnection connection = RawConnection.open(proxy.baseUri())) {
        connection.send(upgradeRequest(proxy, "/echo", key, ""));
        RawConnection.Head head = connection.readHead();

        assertThat(head.status()).as("%s (log %s)", head, proxy.log()).isEqualTo(101);
        assertThat(head.header("upgrade")).hasValueSatisfying(
            v -> assertThat(v).isEqualToIgnoringCase("websocket"));
        assertThat(head.header("connection")).hasValueSatisfying(
            v -> assertThat(v).containsIgnoringCase("upgrade"));
        assertThat(head.header("sec-websocket-accept")).hasValue(RawConnection.webSocketAccept(key));
        String instance = head.header("x-backend-instance").orElseThrow();
        assertThat(instance).as("the backend's own header").isIn(backends.addressByName().keySet());
        assertThat(head.header(SessionHeader.NAME)).as("Tether's session header on the 101")
            .hasValue(SessionHeader.of(backends.addressByName().get(instance)));

        connection.sendText("over the raw socket");
        assertThat(connection.readText()).isEqualTo(instance + ": over the raw socket");
      }
    }

    @Test
    void upgradeTheBackendDeclinesIsRelayedAsAnOrdinaryResponse() {
      ProxyContainer proxy = headerSessions();
      try (RawConnection connection = RawConnection.open(proxy.baseUri())) {
        connection.send(upgradeRequest(proxy, "/hello", RawConnection.newWebSocketKey(),
            SessionHeader.NAME + ": " + sessionFor("b2") + "\r\n"));
        RawConnection.Head head = connection.readHead();

        assertThat(head.status()).as("%s", head).isEqualTo(200);
        assertThat(head.header("x-backend-instance")).hasValue("b2");
        assertThat(connection.readLine()).isEqualTo("Hello version: v1, instance: b2");
      }
    }
  }

  /**
   * Envoy's local replies, the same status, {@code content-type: text/plain} and body on every
   * container; never a container's error page.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class LocalReplies {

    @Test
    void strictSessionOnAnUnhealthyEndpointIsNoHealthyUpstream() {
      ProxyContainer proxy = failures();
      Reply reply = client.get(proxy.baseUri(), "/hello",
          SessionHeader.NAME, SessionHeader.of(unhealthyProbe.address()));

      assertLocalReply(reply, 503, NO_HEALTHY_UPSTREAM, "strict session on an UNHEALTHY endpoint");
      assertThat(unhealthyProbe.connections()).as("connections to the unhealthy endpoint").isZero();
    }

    @Test
    void getToAStoppedBackendIsConnectionFailure() {
      Reply reply = client.get(failures().baseUri(), "/hello",
          SessionHeader.NAME, SessionHeader.of(stoppedBackend));

      assertLocalReply(reply, 503, CONNECTION_FAILURE, "GET to a stopped backend");
    }

    @Test
    void postToAStoppedBackendIsConnectionFailure() {
      HttpResponse<byte[]> reply = client.post(failures().baseUri(), "/anything",
          "payload".getBytes(StandardCharsets.UTF_8),
          SessionHeader.NAME, SessionHeader.of(stoppedBackend));

      assertLocalReply(reply.statusCode(), reply.headers().firstValue("content-type").orElse(null),
          reply.headers().firstValue("content-length").orElse(null),
          reply.headers().firstValue("x-backend-instance").orElse(null),
          new String(reply.body(), StandardCharsets.UTF_8), 503, CONNECTION_FAILURE,
          "POST to a stopped backend");
    }

    @Test
    void backendThatResetsBeforeItsHeadIsConnectionTermination() {
      Reply reply = client.get(failures().baseUri(), "/reset",
          SessionHeader.NAME, sessionFor("b1"));

      assertLocalReply(reply, 503, CONNECTION_TERMINATION, "backend reset before the head");
    }

    @Test
    void resetWithTheDefaultRetryOnIsConnectionTerminationUnretried() {
      // The default retryOn has no "reset": the first reset is the answer, on any container.
      Reply reply = client.get(headerSessions().baseUri(), "/reset");

      assertLocalReply(reply, 503, CONNECTION_TERMINATION, "reset with the default retryOn");
    }

    @Test
    void noResponseHeadWithinTheRequestTimeoutIs504() {
      long start = System.nanoTime();
      Reply reply = client.get(failures().baseUri(), "/delay/" + BACKEND_SECONDS,
          SessionHeader.NAME, sessionFor("b1"));
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertLocalReply(reply, 504, REQUEST_TIMEOUT, "requestTimeout=1s, /delay/" + BACKEND_SECONDS);
      assertThat(took).as("answered at the request timeout, not when the backend would have")
          .isGreaterThanOrEqualTo(ALMOST_TIMEOUT).isLessThan(Duration.ofSeconds(BACKEND_SECONDS - 1));
    }
  }

  /** {@code idleTimeout}: no byte either way for that long closes an open response or tunnel. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class IdleTimeout {

    @Test
    void responseThatStallsAfterItsHeadIsCutAtTheIdleTimeout() {
      ProxyContainer proxy = failures();
      try (RawConnection connection = RawConnection.open(proxy.baseUri())) {
        long sent = System.nanoTime();
        connection.send("GET /stall/" + BACKEND_SECONDS + " HTTP/1.1\r\n"
            + "Host: 127.0.0.1:" + proxy.baseUri().getPort() + "\r\n"
            + SessionHeader.NAME + ": " + sessionFor("b1") + "\r\n\r\n");
        RawConnection.Head head = connection.readHead();
        assertThat(head.status()).as("%s", head).isEqualTo(200);
        assertThat(connection.readLine()).isEqualTo("b1 stalls");

        RawConnection.Ending ending = connection.readUntilClosed(
            Duration.ofSeconds(BACKEND_SECONDS - 1));

        assertThat(ending.closed()).as("connection closed by the proxy within %s (got %s)",
            ending.after(), ending.text()).isTrue();
        assertThat(ending.text()).as("the rest of the body never arrives").doesNotContain("resumes");
        // The idle clock starts at the first line, which left the proxy after the request did.
        assertThat(Duration.ofNanos(System.nanoTime() - sent))
            .as("cut by the 1 s idle timeout, not before").isGreaterThanOrEqualTo(ALMOST_TIMEOUT);
      }
    }

    @Test
    void silentWebSocketIsClosedAtTheIdleTimeout() throws Exception {
      ProxyContainer proxy = failures();
      try (WebSocketClient socket = WebSocketClient.connect(webSocketUri(proxy, "/echo"),
          SessionHeader.NAME, sessionFor("b3"))) {
        long sent = System.nanoTime();
        socket.send("then silence");
        assertThat(socket.receive()).isEqualTo("b3: then silence");

        String ended = socket.ended().get(BACKEND_SECONDS, TimeUnit.SECONDS);

        // The idle clock starts at the echo, which crossed the proxy after the message was sent.
        assertThat(Duration.ofNanos(System.nanoTime() - sent))
            .as("tunnel ended (%s) by the 1 s idle timeout, not before", ended)
            .isGreaterThanOrEqualTo(ALMOST_TIMEOUT);
      }
    }
  }

  /** Clients that speak HTTP/2 in clear text (h2c by prior knowledge) are still served. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class Http2FromClients {

    @BeforeAll
    void needsCurlWithHttp2() {
      Assumptions.assumeTrue(Curl.unavailable().isEmpty(),
          () -> "h2c scenarios skipped: " + Curl.unavailable().orElse(""));
    }

    @Test
    void http2RequestIsServedAndItsSessionHolds() {
      ProxyContainer proxy = h2c();
      Curl.Response first = Curl.http2(proxy.baseUri(), "/hello");

      assertThat(first.protocol()).as("%s", first.head()).isEqualTo("HTTP/2");
      assertThat(first.head().status()).isEqualTo(200);
      String instance = first.head().header("x-backend-instance").orElseThrow();
      assertThat(first.bodyText()).isEqualTo("Hello version: v1, instance: " + instance + "\n");
      String session = first.head().header(SessionHeader.NAME).orElseThrow();
      assertThat(session).isEqualTo(SessionHeader.of(backends.addressByName().get(instance)));

      for (int i = 0; i < 5; i++) {
        Curl.Response next = Curl.http2(proxy.baseUri(), "/hello",
            "-H", SessionHeader.NAME + ": " + session);
        assertThat(next.head().header("x-backend-instance")).as("request %d", i).hasValue(instance);
        assertThat(next.head().header(SessionHeader.NAME)).isEmpty();
      }
    }

    @Test
    void http2RequestReachesTheBackendWithItsAuthorityAsHost() {
      ProxyContainer proxy = h2c();
      Curl.Response reply = Curl.http2(proxy.baseUri(), "/headers");

      assertThat(reply.head().status()).as("%s", reply.head()).isEqualTo(200);
      String json = reply.bodyText();
      assertThat(jsonField(json, "Host")).isEqualTo("127.0.0.1:" + proxy.baseUri().getPort());
      assertThat(jsonField(json, "X-Forwarded-Proto")).isEqualTo("http");
      assertThat(jsonField(json, "X-Forwarded-For")).isEqualTo("127.0.0.1");
    }

    @Test
    void http2PostBodyComesBackIntact() throws Exception {
      byte[] body = new byte[1 << 20];
      new Random(11).nextBytes(body);
      Path file = Files.createTempFile(Layout.work(), "h2-body-", ".bin");
      Files.write(file, body);

      Curl.Response echoed = Curl.http2(h2c().baseUri(), "/anything",
          "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file);

      assertThat(echoed.head().status()).as("%s", echoed.head()).isEqualTo(200);
      assertThat(echoed.body()).as("1 MiB over HTTP/2, echoed by the backend").isEqualTo(body);
    }
  }
}
