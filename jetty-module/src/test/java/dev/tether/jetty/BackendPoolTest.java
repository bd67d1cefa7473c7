package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handler's backend leg on raw sockets: a client and a scripted HTTP/1.1 backend on
 * 127.0.0.1 around a real Jetty server, for what the contract cannot see: which backend
 * connection carried which request (keep-alive reuse, and no reuse where the framing or the
 * backend forbids it), the request framing the backend receives, and the one resend the handler
 * makes on its own (a stale pooled connection, for an idempotent request only).
 */
@Timeout(60)
final class BackendPoolTest {
  private final List<AutoCloseable> closeables = new ArrayList<>();
  /** Per backend connection (in accept order), the request heads it received. */
  private final List<List<String>> connections = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private ServerConnector connector;
  private RecordingBalancer balancer;
  private TetherProxyHandler handler;

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** What the backend answers to the n-th request (0-based) on one of its connections. */
  private interface Answer {
    /** The bytes to send, or null to close the connection without answering. */
    String answer(int n, String head);
  }

  /** A backend that reads requests (with their bodies) one after the other on each connection. */
  private void start(Answer answer) throws Exception {
    start(answer, Map.of());
  }

  /** The same, with configuration keys besides the endpoint and the session header. */
  private void start(Answer answer, Map<String, String> keys) throws Exception {
    ScriptedBackend backend = new ScriptedBackend(socket -> {
      List<String> heads = new CopyOnWriteArrayList<>();
      connections.add(heads);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      for (int n = 0; ; n++) {
        String head = readHead(in);
        if (head == null) {
          socket.close();
          return;
        }
        heads.add(head);
        String body = readBody(in, head);
        if (!body.isEmpty()) {
          bodies.add(body);
        }
        String response = answer.answer(n, head);
        if (response == null) {
          socket.close();
          return;
        }
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (response.contains("Connection: close")) {
          socket.close();
          return;
        }
      }
    });
    closeables.add(backend);
    Map<String, String> config = new HashMap<>(keys);
    config.put("endpoints", backend.address());
    config.put("sessionHeader", "x-session");
    balancer = new RecordingBalancer(Tether.balancer(Tether.parseConfig(config)));
    closeables.add(balancer);
    Server server = new Server(new QueuedThreadPool(32, 4));
    connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    handler = new TetherProxyHandler(balancer);
    server.setHandler(handler);
    server.start();
    closeables.add(server::stop);
  }

  private static String ok(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  /** Sends {@code request} on a new client connection; returns the whole response. */
  private String send(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), connector.getLocalPort())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertThat(head).as("response head").isNotNull();
      if (request.startsWith("HEAD ") || head.startsWith("HTTP/1.1 204")
          || head.startsWith("HTTP/1.1 304")) {
        return head;
      }
      return head + readBody(in, head);
    }
  }

  private void awaitIdleConnections(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (handler.backendPool().idleConnections() != expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(handler.backendPool().idleConnections()).as("idle backend connections")
        .isEqualTo(expected);
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n";
  }

  @Test
  void oneBackendConnectionCarriesRequestAfterRequest() throws Exception {
    start((n, head) -> ok("answer " + n));
    for (int i = 0; i < 5; i++) {
      assertThat(send(get("/" + i))).startsWith("HTTP/1.1 200 ").endsWith("answer " + i);
      // The connection goes back once the request's write has called back, which may come just
      // after the client has read the response (see BackendConnection.messageComplete): wait for
      // it, bounded, so the next request finds it there.
      awaitIdleConnections(1);
    }
    assertThat(connections).hasSize(1);
    assertThat(connections.get(0)).hasSize(5);
  }

  @Test
  void aConnectionIdleInThePoolLongerThanTheStreamIdleTimeoutCarriesTheNextRequest()
      throws Exception {
    // The stream idle timeout (idleTimeout) is short, the pool's (http.idleTimeout, Istio's 1 h)
    // long: a connection that waited in the pool for longer than the former is still good, and
    // the request it is given must not time out at once on its idleness in the pool.
    start((n, head) -> ok("answer " + n), Map.of("idleTimeout", "300ms"));
    assertThat(send(get("/first"))).startsWith("HTTP/1.1 200 ").endsWith("answer 0");
    awaitIdleConnections(1);
    Thread.sleep(700);
    assertThat(send(get("/second"))).startsWith("HTTP/1.1 200 ").endsWith("answer 1");
    assertThat(connections).hasSize(1);
    assertThat(balancer.events("failed")).isEmpty();
  }

  @Test
  void headNoContentAndNotModifiedLeaveTheConnectionReusable() throws Exception {
    start((n, head) -> switch (n) {
      case 0 -> "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"; // HEAD: a length, no body
      case 1 -> "HTTP/1.1 204 No Content\r\n\r\n";
      case 2 -> "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n";
      default -> ok("after");
    });
    assertThat(send("HEAD / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200 ").containsIgnoringCase("Content-Length: 10");
    awaitIdleConnections(1);
    assertThat(send(get("/204"))).startsWith("HTTP/1.1 204 ");
    awaitIdleConnections(1);
    assertThat(send(get("/304"))).startsWith("HTTP/1.1 304 ");
    awaitIdleConnections(1);
    assertThat(send(get("/last"))).endsWith("after");
    assertThat(connections).hasSize(1);
    assertThat(connections.get(0)).hasSize(4);
  }

  @Test
  void closeDelimitedAndConnectionCloseResponsesAreWholeAndTheirConnectionsNotReused()
      throws Exception {
    start((n, head) -> head.startsWith("GET /eof")
        ? "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"
        : "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbye!");
    assertThat(send(get("/eof"))).endsWith("until the end");
    assertThat(send(get("/close"))).endsWith("bye!");
    assertThat(send(get("/again"))).endsWith("bye!");
    assertThat(connections).hasSize(3);
  }

  @Test
  void chunkedRequestBodyReachesTheBackendChunkedAndWhole() throws Exception {
    start((n, head) -> ok("got it"));
    String response = send("POST /upload HTTP/1.1\r\nHost: app\r\nConnection: close\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    assertThat(response).endsWith("got it");
    assertThat(connections.get(0).get(0).toLowerCase(Locale.ROOT))
        .contains("transfer-encoding: chunked").doesNotContain("content-length");
    assertThat(bodies).containsExactly("hello world");
  }

  @Test
  void staleConnectionIsSentAgainOnANewOneForAGetWithoutTellingTheExchange() throws Exception {
    // The second request on the first connection finds it closed: a keep-alive the backend gave
    // up on just as the request went out.
    start((n, head) -> n == 1 && connections.size() == 1 ? null : ok("fine"));
    assertThat(send(get("/first"))).endsWith("fine");
    awaitIdleConnections(1);
    assertThat(send(get("/second"))).startsWith("HTTP/1.1 200 ");
    assertThat(connections).hasSize(2);
    assertThat(connections.get(1).get(0)).startsWith("GET /second ");
    assertThat(balancer.events("failed")).isEmpty();
  }

  @Test
  void staleConnectionIsNotSentAgainForAPostTheExchangeDecides() throws Exception {
    start((n, head) -> n == 1 && connections.size() == 1 ? null : ok("fine"));
    assertThat(send(get("/first"))).endsWith("fine");
    awaitIdleConnections(1);
    String response = send("POST /order HTTP/1.1\r\nHost: app\r\nConnection: close\r\n"
        + "Content-Length: 3\r\n\r\nabc");
    assertThat(response).startsWith("HTTP/1.1 503 ");
    assertThat(connections).hasSize(1);
    assertThat(balancer.events("failed")).hasSize(1).allMatch(e -> e.endsWith(" RESET"));
  }

  // --- a minimal HTTP/1.1 reader for both sides ------------------------------------------

  /** The head up to and including the blank line, or null at the end of the stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return head.size() == 0 ? null : head.toString(StandardCharsets.ISO_8859_1);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** The body that follows {@code head}: by length, chunked (decoded), or to the end. */
  private static String readBody(InputStream in, String head) throws IOException {
    String lower = head.toLowerCase(Locale.ROOT);
    int length = lower.indexOf("\r\ncontent-length:");
    if (length >= 0) {
      int end = lower.indexOf("\r\n", length + 2);
      int n = Integer.parseInt(lower.substring(length + 17, end).trim());
      return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }
    if (lower.contains("\r\ntransfer-encoding: chunked")) {
      StringBuilder body = new StringBuilder();
      while (true) {
        String size = line(in);
        int n = Integer.parseInt(size.trim(), 16);
        if (n == 0) {
          line(in);
          return body.toString();
        }
        body.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
        line(in);
      }
    }
    if (lower.startsWith("http/")) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    return "";
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
