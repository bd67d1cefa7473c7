package dev.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.client.ScriptedBackend.Answer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class UpstreamClientTest {
  private static final String OK_HELLO =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

  /** No limit on the wait for a response head. */
  private static final LongSupplier NO_HEAD_LIMIT = () -> 0;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private ScriptedBackend backend(java.util.function.Function<ScriptedBackend.Received, Answer>
      script) throws IOException {
    ScriptedBackend backend = new ScriptedBackend(script);
    toClose.add(backend);
    return backend;
  }

  private UpstreamClient client(UpstreamOptions options) {
    UpstreamClient client = new UpstreamClient(options);
    toClose.add(client);
    return client;
  }

  private UpstreamClient client() {
    return client(UpstreamOptions.DEFAULTS);
  }

  /** Body pieces as the sink saw them, and which ones were marked last. */
  private static final class Collected implements BodySink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<Boolean> lasts = new ArrayList<>();

    @Override
    public void write(byte[] b, int off, int len, boolean last) {
      bytes.write(b, off, len);
      lasts.add(last);
    }

    String text() {
      return bytes.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static Collected body(UpstreamResponse response) throws IOException {
    Collected collected = new Collected();
    response.transferTo(collected);
    return collected;
  }

  @Test
  void reusesOneConnectionForSequentialRequests() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamClient client = client();
    for (int i = 0; i < 3; i++) {
      try (UpstreamResponse response =
          client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/n" + i), NO_HEAD_LIMIT)) {
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentLength()).isEqualTo(5);
        Collected body = body(response);
        assertThat(body.text()).isEqualTo("hello");
        assertThat(body.lasts).containsExactly(true);
      }
    }
    assertThat(client.connectionsOpened()).isEqualTo(1);
    assertThat(backend.connections()).isEqualTo(1);
    assertThat(backend.next().head()).startsWith("GET /n0 HTTP/1.1\r\n");
  }

  @Test
  void aConnectionCarriesAtMostMaxRequestsPerConnection() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamClient client = client(UpstreamOptions.DEFAULTS.withPool(Duration.ofMinutes(1), 8, 2));
    for (int i = 0; i < 5; i++) {
      try (UpstreamResponse response = client.send("127.0.0.1", backend.port(),
          new UpstreamRequest("GET", "/n" + i), NO_HEAD_LIMIT)) {
        assertThat(body(response).text()).isEqualTo("hello");
      }
    }
    assertThat(client.connectionsOpened()).as("two requests each, then a new connection")
        .isEqualTo(3);
    assertThat(backend.connections()).isEqualTo(3);
  }

  @Test
  void anIdleTimeoutOfZeroKeepsPooledConnectionsUntilTheBackendClosesThem() {
    UpstreamOptions options = UpstreamOptions.DEFAULTS.withPool(Duration.ZERO, 8, 0);
    assertThat(options.poolIdleTimeout()).isEqualTo(UpstreamOptions.NO_IDLE_LIMIT);
    assertThat(options.maxRequestsPerConnection()).isZero();
  }

  @Test
  void sendsHeadersInOrderAndAddsHostOnlyWhenMissing() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamClient client = client();
    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/a?b=c").header("X-One", "1").header("X-One", "2")
            .header("Content-Length", "99").header("X-Bad", "a\r\nInjected: yes")
            .header("Bad Name", "x"), NO_HEAD_LIMIT)) {
      body(response);
    }
    String head = backend.next().head();
    assertThat(head).isEqualTo("GET /a?b=c HTTP/1.1\r\nX-One: 1\r\nX-One: 2\r\nHost: 127.0.0.1:"
        + backend.port() + "\r\n\r\n");

    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/").header("Host", "shop.example"), NO_HEAD_LIMIT)) {
      body(response);
    }
    assertThat(backend.next().head()).isEqualTo("GET / HTTP/1.1\r\nHost: shop.example\r\n\r\n");
  }

  @Test
  void writesLongAndNonAsciiHeaderValuesWhole() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    String longValue = "v".repeat(20_000);
    try (UpstreamResponse response = client().send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/").header("X-Long", longValue)
            .header("X-Text", "caf\u00e9 \u20ac5"), NO_HEAD_LIMIT)) {
      body(response);
    }
    String head = backend.next().head();
    assertThat(head).contains("\r\nX-Long: " + longValue + "\r\n");
    // Latin-1 as one byte each; beyond Latin-1 as UTF-8.
    assertThat(head).contains("\r\nX-Text: caf\u00e9 \u00e2\u0082\u00ac5\r\n");
  }

  @Test
  void percentEncodesNonAsciiTargetsAndRefusesControls() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamClient client = client();
    try (UpstreamResponse response =
        client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/caf\u00e9"), NO_HEAD_LIMIT)) {
      body(response);
    }
    assertThat(backend.next().head()).startsWith("GET /caf%C3%A9 HTTP/1.1\r\n");
    assertThatThrownBy(() -> client.send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/a b"), NO_HEAD_LIMIT)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sendsAKnownLengthBodyWithContentLength() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamClient client = client();
    byte[] payload = new byte[20_000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) ('a' + i % 26);
    }
    UpstreamRequest request = new UpstreamRequest("POST", "/cart")
        .body(new ByteArrayInputStream(payload), payload.length);
    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(), request, NO_HEAD_LIMIT)) {
      body(response);
    }
    ScriptedBackend.Received received = backend.next();
    assertThat(received.head()).contains("\r\nContent-Length: 20000\r\n");
    assertThat(received.body()).isEqualTo(payload);
    assertThat(request.bodyTouched()).isTrue();
  }

  @Test
  void sendsAnUnknownLengthBodyChunked() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamClient client = client();
    byte[] payload = new byte[30_001];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(),
        new UpstreamRequest("PUT", "/blob").body(new ByteArrayInputStream(payload), -1), NO_HEAD_LIMIT)) {
      body(response);
    }
    ScriptedBackend.Received received = backend.next();
    assertThat(received.head()).contains("\r\nTransfer-Encoding: chunked\r\n")
        .doesNotContain("Content-Length");
    assertThat(received.body()).isEqualTo(payload);
  }

  @Test
  void sendsContentLengthZeroForAnEmptyPost() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    try (UpstreamResponse response = client().send("127.0.0.1", backend.port(),
        new UpstreamRequest("POST", "/empty"), NO_HEAD_LIMIT)) {
      body(response);
    }
    assertThat(backend.next().head()).contains("\r\nContent-Length: 0\r\n");
  }

  @Test
  void aClientBodyShorterThanItsLengthFailsAsRequestBody() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    assertThatThrownBy(() -> client().send("127.0.0.1", backend.port(),
        new UpstreamRequest("POST", "/").body(new ByteArrayInputStream(new byte[3]), 10), NO_HEAD_LIMIT))
        .isInstanceOfSatisfying(UpstreamException.class,
            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.REQUEST_BODY));
  }

  @Test
  void decodesAChunkedResponseAndKeepsTheConnection() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of("HTTP/1.1 200 OK\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\n"));
    UpstreamClient client = client();
    for (int i = 0; i < 2; i++) {
      try (UpstreamResponse response =
          client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
        assertThat(response.contentLength()).isEqualTo(-1);
        Collected body = body(response);
        assertThat(body.text()).isEqualTo("hello world!");
        assertThat(body.lasts).last().isEqualTo(true);
      }
    }
    assertThat(client.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void aChunkedBodyLargerThanTheBufferArrivesWhole() throws Exception {
    StringBuilder raw = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      String data = ("chunk-" + i + "-").repeat(1 + i % 40);
      raw.append(Integer.toHexString(data.length())).append("\r\n").append(data).append("\r\n");
      expected.append(data);
    }
    raw.append("0\r\n\r\n");
    ScriptedBackend backend = backend(r -> Answer.of(raw.toString()));
    try (UpstreamResponse response =
        client().send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      assertThat(body(response).text()).isEqualTo(expected.toString());
    }
  }

  @Test
  void aBodyWithoutLengthRunsUntilCloseAndTheConnectionIsNotReused() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.thenClose("HTTP/1.1 200 OK\r\n\r\nstreamed"));
    UpstreamClient client = client();
    for (int i = 0; i < 2; i++) {
      try (UpstreamResponse response =
          client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
        Collected body = body(response);
        assertThat(body.text()).isEqualTo("streamed");
        assertThat(body.lasts).last().isEqualTo(true);
      }
    }
    assertThat(client.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void connectionCloseFromTheBackendIsHonoured() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));
    UpstreamClient client = client();
    for (int i = 0; i < 2; i++) {
      try (UpstreamResponse response =
          client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
        assertThat(body(response).text()).isEqualTo("ok");
      }
    }
    assertThat(client.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void aStalePooledConnectionIsReplacedForARequestWithoutBody() throws Exception {
    // Answers keep-alive, then closes anyway: the pooled connection is dead when next used.
    ScriptedBackend backend = backend(r -> Answer.thenClose(OK_HELLO));
    UpstreamClient client = client();
    for (int i = 0; i < 3; i++) {
      try (UpstreamResponse response =
          client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
        assertThat(body(response).text()).isEqualTo("hello");
      }
      waitForConnectionsClosedByBackend(backend, i + 1);
    }
    assertThat(client.connectionsOpened()).isEqualTo(3);
  }

  @Test
  void aRequestWithABodyIsNotSentOnAConnectionTheBackendClosed() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.thenClose(OK_HELLO));
    UpstreamClient client = client();
    try (UpstreamResponse response =
        client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      body(response);
    }
    waitForConnectionsClosedByBackend(backend, 1);
    UpstreamRequest post = new UpstreamRequest("POST", "/")
        .body(new ByteArrayInputStream("x=1".getBytes(StandardCharsets.US_ASCII)), 3);
    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(), post, NO_HEAD_LIMIT)) {
      assertThat(body(response).text()).isEqualTo("hello");
    }
    backend.next();
    assertThat(backend.next().bodyText()).isEqualTo("x=1");
    assertThat(client.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void aRequestWhoseBodyWasSentIsNotSentAgainWhenTheConnectionFails() throws Exception {
    // The backend reads the whole request, then drops the connection without answering.
    ScriptedBackend backend = backend(r -> Answer.thenClose(""));
    UpstreamClient client = client();
    UpstreamRequest post = new UpstreamRequest("POST", "/")
        .body(new ByteArrayInputStream("x=1".getBytes(StandardCharsets.US_ASCII)), 3);
    assertThatThrownBy(() -> client.send("127.0.0.1", backend.port(), post, NO_HEAD_LIMIT))
        .isInstanceOfSatisfying(UpstreamException.class,
            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RESET));
    assertThat(post.bodyTouched()).isTrue();
    assertThat(backend.connections()).isEqualTo(1);
  }

  /** The scripted backend closes right after answering: wait until it has. */
  private static void waitForConnectionsClosedByBackend(ScriptedBackend backend, int answered)
      throws InterruptedException {
    backend.awaitClosed(answered);
    assertThat(backend.connections()).isEqualTo(answered);
  }

  @Test
  void interimResponsesAreSkipped() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of("HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + OK_HELLO));
    try (UpstreamResponse response =
        client().send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.values("link")).isEmpty();
      assertThat(body(response).text()).isEqualTo("hello");
    }
  }

  @Test
  void headAnd204And304HaveNoBodyWhateverTheirHeadersSay() throws Exception {
    ScriptedBackend backend = backend(r -> r.head().startsWith("HEAD")
        ? Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
        : Answer.of("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"));
    UpstreamClient client = client();
    for (String method : List.of("HEAD", "GET", "HEAD")) {
      try (UpstreamResponse response =
          client.send("127.0.0.1", backend.port(), new UpstreamRequest(method, "/"), NO_HEAD_LIMIT)) {
        assertThat(response.hasBody()).isFalse();
        Collected body = body(response);
        assertThat(body.text()).isEmpty();
        assertThat(body.lasts).containsExactly(true);
      }
    }
    assertThat(client.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void exposesFieldsAsSentWithRepeatsAndReason() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of("HTTP/1.1 404 Not Here\r\n"
        + "Set-Cookie: a=1\r\nset-cookie: b=2\r\nX-Pad:   padded  \r\nContent-Length: 0\r\n\r\n"));
    try (UpstreamResponse response =
        client().send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      assertThat(response.status()).isEqualTo(404);
      assertThat(response.reason()).isEqualTo("Not Here");
      assertThat(response.values("Set-Cookie")).containsExactly("a=1", "b=2");
      assertThat(response.size()).isEqualTo(4);
      assertThat(response.name(1)).isEqualTo("set-cookie");
      assertThat(response.value(2)).isEqualTo("padded");
    }
  }

  @Test
  void aTruncatedBodyFailsAsResponseBody() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.thenClose(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    try (UpstreamResponse response =
        client().send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      Collected collected = new Collected();
      assertThatThrownBy(() -> response.transferTo(collected))
          .isInstanceOfSatisfying(UpstreamException.class,
              e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RESPONSE_BODY));
      assertThat(collected.text()).isEqualTo("abc");
      assertThat(collected.lasts).doesNotContain(true);
    }
  }

  @Test
  void malformedHeadsAreProtocolFailures() throws Exception {
    for (String raw : List.of("HTTP/2 200 OK\r\n\r\n", "garbage\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\n\r\n")) {
      try (ScriptedBackend backend = new ScriptedBackend(r -> Answer.of(raw))) {
        assertThatThrownBy(() -> client().send("127.0.0.1", backend.port(),
            new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT))
            .as(raw)
            .isInstanceOfSatisfying(UpstreamException.class,
                e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.PROTOCOL));
      }
    }
  }

  @Test
  void aBackendThatClosesWithoutAnsweringIsAReset() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.thenClose(""));
    assertThatThrownBy(() -> client().send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT))
        .isInstanceOfSatisfying(UpstreamException.class,
            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RESET));
  }

  @Test
  void aSilentBackendIsATimeoutOfTheWaitAskedForOnceTheRequestIsSent() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.silence());
    AtomicInteger asked = new AtomicInteger();
    UpstreamRequest request = new UpstreamRequest("POST", "/")
        .body(new ByteArrayInputStream("body".getBytes(StandardCharsets.US_ASCII)), 4);
    long start = System.nanoTime();
    assertThatThrownBy(() -> client().send("127.0.0.1", backend.port(), request, () -> {
      // Asked after the whole request went out: the body was read by then.
      assertThat(request.bodyTouched()).isTrue();
      asked.incrementAndGet();
      return Duration.ofMillis(200).toNanos();
    }))
        .isInstanceOfSatisfying(UpstreamException.class,
            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.TIMEOUT));
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(190).toNanos());
    assertThat(asked).hasValue(1);
    assertThat(backend.next().bodyText()).isEqualTo("body");
  }

  @Test
  void aHeadTimeoutOfZeroWaitsForAnAnswerThatComesLate() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread late = new Thread(() -> {
        try (var socket = server.accept()) {
          socket.getInputStream().read(new byte[4096]);
          Thread.sleep(300); // longer than any default a zero could be mistaken for
          socket.getOutputStream().write(OK_HELLO.getBytes(StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
        } catch (IOException | InterruptedException e) {
          // the client side fails the test
        }
      });
      late.start();
      try (UpstreamResponse response = client().send("127.0.0.1", server.getLocalPort(),
          new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
        assertThat(body(response).text()).isEqualTo("hello");
      }
      late.join(10_000);
    }
  }

  @Test
  void aSilentBodyIsABodyTimeout() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    UpstreamClient client = client(UpstreamOptions.DEFAULTS.withTimeouts(
        Duration.ofSeconds(5), Duration.ofMillis(200)));
    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      Collected collected = new Collected();
      assertThatThrownBy(() -> response.transferTo(collected))
          .isInstanceOfSatisfying(UpstreamException.class,
              e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RESPONSE_BODY_TIMEOUT));
      assertThat(collected.text()).isEqualTo("abc");
    }
  }

  @Test
  void a101ToAnUpgradeRequestHandsTheConnectionOverWithTheBytesReadPastTheHead()
      throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      java.util.concurrent.CompletableFuture<String> backendGot =
          new java.util.concurrent.CompletableFuture<>();
      Thread backendThread = new Thread(() -> {
        try (var socket = server.accept()) {
          InputStream in = socket.getInputStream();
          ByteArrayOutputStream head = new ByteArrayOutputStream();
          while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            head.write(in.read());
          }
          // The head and the new protocol's first bytes in one write.
          socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\n"
              + "Upgrade: echo\r\nConnection: Upgrade\r\n\r\nfirst").getBytes(
              StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
          backendGot.complete(head.toString(StandardCharsets.ISO_8859_1)
              + new String(in.readNBytes(4), StandardCharsets.US_ASCII));
          in.read();
        } catch (IOException e) {
          backendGot.completeExceptionally(e);
        }
      });
      backendThread.start();
      UpstreamClient client = client();
      UpstreamRequest request = new UpstreamRequest("GET", "/ws").upgrade()
          .header("Connection", "Upgrade").header("Upgrade", "echo");
      UpgradedConnection upgraded;
      try (UpstreamResponse response =
          client.send("127.0.0.1", server.getLocalPort(), request, NO_HEAD_LIMIT)) {
        assertThat(response.status()).isEqualTo(101);
        assertThat(response.hasBody()).isFalse();
        assertThat(response.values("upgrade")).containsExactly("echo");
        upgraded = response.takeOver();
        assertThatThrownBy(response::takeOver).isInstanceOf(IllegalStateException.class);
      }
      try (var channel = upgraded.channel()) {
        assertThat(channel.isOpen()).as("closing the response leaves it open").isTrue();
        assertThat(StandardCharsets.US_ASCII.decode(upgraded.leftover()).toString())
            .isEqualTo("first");
        channel.write(java.nio.ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
        assertThat(backendGot.get(10, java.util.concurrent.TimeUnit.SECONDS))
            .startsWith("GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: echo\r\n")
            .endsWith("\r\n\r\npong");
      }
      backendThread.join(10_000);
      assertThat(client.connectionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void anUpgradeRequestAnsweredWithoutA101IsAPlainResponseAndAnUnaskedTakeOverFails()
      throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamClient client = client();
    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/").upgrade().header("Connection", "Upgrade")
            .header("Upgrade", "websocket"), NO_HEAD_LIMIT)) {
      assertThat(response.status()).isEqualTo(200);
      assertThatThrownBy(response::takeOver).isInstanceOf(IllegalStateException.class);
      assertThat(body(response).text()).isEqualTo("hello");
    }
    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      body(response);
    }
    assertThat(client.connectionsOpened()).as("the connection went back to the pool").isEqualTo(1);
  }

  @Test
  void aSwitchedConnectionThatIsNotTakenOverIsClosedNotPooled() throws Exception {
    ScriptedBackend backend = backend(r -> r.head().contains("Upgrade")
        ? Answer.of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
        : Answer.of(OK_HELLO));
    UpstreamClient client = client();
    client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/").upgrade()
        .header("Connection", "Upgrade").header("Upgrade", "x"), NO_HEAD_LIMIT).close();
    try (UpstreamResponse response = client.send("127.0.0.1", backend.port(),
        new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      assertThat(body(response).text()).isEqualTo("hello");
    }
    assertThat(client.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void upstreamRequestIsAHeaderSinkWhoseSetReplacesFieldsOfTheSameName() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamRequest request = new UpstreamRequest("GET", "/");
    request.add("X-A", "1");
    request.add("x-a", "2");
    request.add("X-B", "b");
    request.set("X-A", "3");
    try (UpstreamResponse response =
        client().send("127.0.0.1", backend.port(), request, NO_HEAD_LIMIT)) {
      body(response);
    }
    assertThat(backend.next().head()).startsWith("GET / HTTP/1.1\r\nX-B: b\r\nX-A: 3\r\n");
  }

  @Test
  void aRefusedConnectionIsAConnectFailure() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    assertThatThrownBy(() -> client().send("127.0.0.1", port, new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT))
        .isInstanceOfSatisfying(UpstreamException.class,
            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.CONNECT));
  }

  @Test
  void idleConnectionsOlderThanTheIdleTimeoutAreNotReused() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    AtomicLong now = new AtomicLong();
    UpstreamClient client = new UpstreamClient(UpstreamOptions.DEFAULTS, now::get);
    toClose.add(client);
    long idle = UpstreamOptions.DEFAULTS.poolIdleTimeout().toNanos();
    for (long at : new long[] {0, idle - 1, 2 * idle}) {
      now.set(at);
      try (UpstreamResponse response =
          client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
        body(response);
      }
    }
    assertThat(client.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void anUnreadBodyClosesTheConnectionRatherThanPoolingIt() throws Exception {
    ScriptedBackend backend = backend(r -> Answer.of(OK_HELLO));
    UpstreamClient client = client();
    client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT).close();
    try (UpstreamResponse response =
        client.send("127.0.0.1", backend.port(), new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
      assertThat(body(response).text()).isEqualTo("hello");
    }
    assertThat(client.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void aBodyStreamReachesTheSinkAsItArrives() throws Exception {
    // The first piece comes before the rest is even sent: the sink sees it marked not-last.
    java.util.concurrent.CountDownLatch firstSeen = new java.util.concurrent.CountDownLatch(1);
    ScriptedBackend backend = backend(r -> Answer.silence());
    backend.close();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread serverThread = new Thread(() -> {
        try (var socket = server.accept()) {
          InputStream in = socket.getInputStream();
          in.read(new byte[4096]);
          var out = socket.getOutputStream();
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfirst".getBytes(
              StandardCharsets.US_ASCII));
          out.flush();
          firstSeen.await(10, java.util.concurrent.TimeUnit.SECONDS);
          out.write("-last".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException | InterruptedException e) {
          // test fails on the client side
        }
      });
      serverThread.start();
      List<String> pieces = new ArrayList<>();
      try (UpstreamResponse response = client().send("127.0.0.1", server.getLocalPort(),
          new UpstreamRequest("GET", "/"), NO_HEAD_LIMIT)) {
        response.transferTo((b, off, len, last) -> {
          pieces.add(new String(b, off, len, StandardCharsets.US_ASCII) + (last ? "|" : ""));
          firstSeen.countDown();
        });
      }
      serverThread.join(10_000);
      assertThat(pieces).containsExactly("first", "-last|");
    }
  }
}
