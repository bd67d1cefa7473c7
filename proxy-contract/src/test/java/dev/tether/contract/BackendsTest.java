package dev.tether.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The backends against the raw client, directly and through a {@link TcpRelay}: what each one
 * answers, and what it counts (requests, bodies, busy connections), since the contract's verdicts
 * rest on those counts.
 */
@Timeout(30)
final class BackendsTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  @Test
  void answeringBackendEchoesTheHeadAndBodyItReceivedAndNamesItself() throws IOException {
    AnsweringBackend alpha = closing(AnsweringBackend.start("alpha"));

    RawResponse response = RawClient.exchange(alpha.port(), "POST", "/x?y=1",
        "body".getBytes(StandardCharsets.UTF_8), "X-Thing: 1");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.field(Backend.INSTANCE_HEADER)).isEqualTo("alpha");
    assertThat(response.field("content-type")).isEqualTo(AnsweringBackend.ECHO_TYPE);
    ReceivedRequest received = alpha.requests().get(0);
    assertThat(received.target()).isEqualTo("/x?y=1");
    assertThat(received.fields().all("x-thing")).containsExactly("1");
    assertThat(received.text()).isEqualTo("body");
    assertThat(response.text()).isEqualTo("POST /x?y=1 HTTP/1.1\n"
        + "Host: 127.0.0.1:" + alpha.port() + "\nX-Thing: 1\nContent-Length: 4\n\nbody");
    Await.until(WAIT, "the answered connection to be idle", () -> alpha.busyConnections() == 0);
  }

  @Test
  void answeringBackendReadsAChunkedBodyWholeAndKeepsTheConnection() throws IOException {
    AnsweringBackend alpha = closing(AnsweringBackend.start("alpha"));

    try (RawClient client = RawClient.connect(alpha.port())) {
      client.write("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n");
      assertThat(client.readResponse().status()).isEqualTo(200);
      client.send("GET", "/status/204", null);
      RawResponse second = client.readResponse();
      assertThat(second.status()).isEqualTo(204);
      assertThat(second.body()).isEmpty();
      client.send("GET", "/cookies", null);
      assertThat(client.readResponse().fields().all("set-cookie"))
          .containsExactly(AnsweringBackend.COOKIE_A, AnsweringBackend.COOKIE_B);
    }
    assertThat(alpha.requests()).extracting(ReceivedRequest::text).containsExactly("abcde", "", "");
    assertThat(alpha.connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void answeringBackendStreamsEventsWithPauses() throws IOException {
    AnsweringBackend alpha = closing(AnsweringBackend.start("alpha"));

    try (RawClient client = RawClient.connect(alpha.port())) {
      client.send("GET", "/stream", null);
      HttpWire.Head head = client.readHead();
      assertThat(head.fields().first("transfer-encoding")).isEqualTo("chunked");
      BodyStream body = client.body(head);
      assertThat(body.readUntil("\n\n")).isEqualTo(AnsweringBackend.event(0));
      assertThat(alpha.streamsFinished()).isZero();
      assertThat(AnsweringBackend.event(0) + new String(body.readAll(), StandardCharsets.UTF_8))
          .isEqualTo(AnsweringBackend.streamBody());
      assertThat(body.complete()).isTrue();
    }
    // The backend counts a stream once its last write returned, which may be a moment after the
    // client read the last chunk.
    Await.until(java.time.Duration.ofSeconds(5), "the stream counted as finished",
        () -> alpha.streamsFinished() == 1);
  }

  @Test
  void stallIsBusyUntilThePeerClosesAndLooksCutToTheClient() throws IOException {
    AnsweringBackend alpha = closing(AnsweringBackend.start("alpha"));
    RawClient client = RawClient.connect(alpha.port());
    client.send("GET", "/stall", null);
    HttpWire.Head head = client.readHead();
    assertThat(head.fields().first("content-length"))
        .isEqualTo(Integer.toString(AnsweringBackend.STALL_LENGTH));
    assertThat(client.body(head).readNBytes(AnsweringBackend.STALL_SENT))
        .hasSize(AnsweringBackend.STALL_SENT);
    assertThat(alpha.busyConnections()).isEqualTo(1);

    client.close();

    Await.until(WAIT, "the stall to end", () -> alpha.busyConnections() == 0);
  }

  @Test
  void answerEverythingWithAnswersThatStatusForAnyPath() throws IOException {
    AnsweringBackend sick = closing(AnsweringBackend.start("sick")).answerEverythingWith(503);

    RawResponse response = RawClient.exchange(sick.port(), "GET", "/anything", null);

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.text()).isEqualTo("status 503 from sick");
  }

  @Test
  void refusingBackendRefusesEveryConnection() {
    RefusingBackend gone = closing(RefusingBackend.start("gone"));

    assertThatThrownBy(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gone.port()), 2000);
      }
    }).isInstanceOf(ConnectException.class);
  }

  @Test
  void resettingBackendReadsTheWholeRequestThenResets() throws IOException {
    ResettingBackend reset = closing(ResettingBackend.start("reset"));

    try (RawClient client = RawClient.connect(reset.port())) {
      client.send("POST", "/", "0123456789".getBytes(StandardCharsets.US_ASCII));
      assertThatThrownBy(client::readResponse).isInstanceOf(IOException.class);
    }
    assertThat(reset.requests()).extracting(ReceivedRequest::text).containsExactly("0123456789");
    Await.until(WAIT, "the reset connection to be forgotten", () -> reset.busyConnections() == 0);
  }

  @Test
  void hangingBackendHoldsTheConnectionUntilThePeerCloses() throws IOException {
    HangingBackend hang = closing(HangingBackend.start("hang"));
    RawClient client = RawClient.connect(hang.port());
    client.send("GET", "/", null);
    Await.until(WAIT, "the request", () -> hang.requests().size() == 1);
    assertThat(hang.busyConnections()).isEqualTo(1);

    client.close();

    Await.until(WAIT, "the hanging backend to notice", () -> hang.busyConnections() == 0);
  }

  @Test
  void upgradeBackendSwitchesEchoesAndSendsItsTailAfterTheClientsEof() throws IOException {
    UpgradeBackend up = closing(UpgradeBackend.start("up", UpgradeBackend.Mode.ECHO));
    try (TcpRelay relay = new TcpRelay(up.port());
        RawClient client = RawClient.connect(relay.port())) {
      client.send("GET", "/t", null, "Connection: Upgrade", "Upgrade: " + UpgradeBackend.PROTOCOL);
      RawResponse switched = client.readResponse();
      assertThat(switched.status()).isEqualTo(101);
      assertThat(switched.field("upgrade")).isEqualTo(UpgradeBackend.PROTOCOL);
      assertThat(switched.field(Backend.INSTANCE_HEADER)).isEqualTo("up");
      client.write("ping");
      assertThat(client.readExactly(4)).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
      assertThat(up.busyConnections()).isEqualTo(1);

      client.write("last");
      client.shutdownOutput();

      byte[] rest = client.readToEnd();
      assertThat(new String(rest, StandardCharsets.US_ASCII))
          .isEqualTo("last" + new String(UpgradeBackend.tail("up"), StandardCharsets.US_ASCII));
    }
    Await.until(WAIT, "the tunnel to end", () -> up.busyConnections() == 0);
    assertThat(UpgradeBackend.tail("up").length).isGreaterThan(8192);
  }

  @Test
  void upgradeBackendAnswersPlainRequestsWithAnEcho() throws IOException {
    UpgradeBackend up = closing(UpgradeBackend.start("up", UpgradeBackend.Mode.ECHO));

    RawResponse response = RawClient.exchange(up.port(), "POST", "/t",
        "hello".getBytes(StandardCharsets.US_ASCII), "Upgrade: " + UpgradeBackend.PROTOCOL);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).endsWith("\n\nhello");
    assertThat(up.upgradeRequests()).isZero();
  }

  @Test
  void upgradeBackendModes() throws IOException {
    UpgradeBackend refuse = closing(UpgradeBackend.start("refuse", UpgradeBackend.Mode.REFUSE));
    RawResponse refused = RawClient.exchange(refuse.port(), "GET", "/t", null,
        "Connection: Upgrade", "Upgrade: " + UpgradeBackend.PROTOCOL);
    assertThat(refused.status()).isEqualTo(426);
    assertThat(refused.text()).isEqualTo("upgrade refused by refuse");

    UpgradeBackend closer = closing(UpgradeBackend.closingAfter("closer", 3));
    try (RawClient client = RawClient.connect(closer.port())) {
      client.send("GET", "/t", null, "Connection: Upgrade", "Upgrade: " + UpgradeBackend.PROTOCOL);
      assertThat(client.readResponse().status()).isEqualTo(101);
      client.write("abc");
      assertThat(client.readToEnd()).asString(StandardCharsets.US_ASCII).isEqualTo("abc");
    }

    UpgradeBackend delayed = closing(UpgradeBackend.start("late", UpgradeBackend.Mode.DELAYED_101));
    try (RawClient client = RawClient.connect(delayed.port())) {
      long start = System.nanoTime();
      client.send("GET", "/t", null, "Connection: Upgrade", "Upgrade: " + UpgradeBackend.PROTOCOL);
      assertThat(client.readResponse().status()).isEqualTo(101);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(UpgradeBackend.DELAY_MILLIS - 10));
    }

    UpgradeBackend hold = closing(UpgradeBackend.start("hold", UpgradeBackend.Mode.HOLD));
    RawClient held = RawClient.connect(hold.port());
    held.send("GET", "/t", null, "Connection: Upgrade", "Upgrade: " + UpgradeBackend.PROTOCOL);
    Await.until(WAIT, "the held request", () -> hold.upgradeRequests() == 1);
    assertThat(hold.busyConnections()).isEqualTo(1);
    held.close();
    Await.until(WAIT, "the held connection to end", () -> hold.busyConnections() == 0);
    assertThat(hold.tunnelsOpened()).isZero();
  }

  @Test
  void webSocketBackendWelcomesAndEchoesWithItsName() throws Exception {
    WebSocketBackend alpha = closing(WebSocketBackend.start("ws-alpha"));

    try (WebSocketClient socket = WebSocketClient.open(alpha.port(), "/chat", "x-extra", "1")) {
      assertThat(socket.next()).isEqualTo("welcome from ws-alpha");
      socket.send("hi");
      assertThat(socket.next()).isEqualTo("ws-alpha: hi");
      assertThat(alpha.busyConnections()).isEqualTo(1);
    }
    Await.until(WAIT, "the socket to close", () -> alpha.busyConnections() == 0);
    assertThat(alpha.requests().get(0).fields().first("x-extra")).isEqualTo("1");
    assertThat(alpha.socketsOpened()).isEqualTo(1);
  }

  @Test
  void webSocketBackendsHandshakeCarriesTheAcceptAndItsName() throws IOException {
    WebSocketBackend alpha = closing(WebSocketBackend.start("ws-alpha"));

    try (RawClient client = RawClient.connect(alpha.port())) {
      client.send("GET", "/chat", null, "Upgrade: websocket", "Connection: Upgrade",
          "Sec-WebSocket-Key: " + ProxyContract.WEBSOCKET_KEY, "Sec-WebSocket-Version: 13");
      RawResponse response = client.readResponse();
      assertThat(response.status()).isEqualTo(101);
      assertThat(response.field("sec-websocket-accept")).isEqualTo(ProxyContract.WEBSOCKET_ACCEPT);
      assertThat(response.field(Backend.INSTANCE_HEADER)).isEqualTo("ws-alpha");
    }
    RawResponse plain = RawClient.exchange(alpha.port(), "GET", "/", null);
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.text()).isEqualTo("plain from ws-alpha");
  }
}
