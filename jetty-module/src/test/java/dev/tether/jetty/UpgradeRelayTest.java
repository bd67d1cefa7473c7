package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.api.LocalReply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upgrade relay on raw sockets: a client and scripted backends on 127.0.0.1 around a real
 * Jetty server running the handler (and once the servlet), for what a WebSocket library would
 * hide: bytes sent with either side's head, half-close, a reset mid-tunnel, idle timeouts, a
 * non-101 answer, a client gone mid-handshake, and that open tunnels hold no thread.
 */
@Timeout(60)
final class UpgradeRelayTest {
  private static final String SESSION = "x-session";
  private static final String UPGRADE_REQUEST = "GET /chat?room=%41 HTTP/1.1\r\n"
      + "Host: app.example\r\nConnection: Upgrade\r\nUpgrade: test/1\r\n"
      + "X-Forwarded-For: 203.0.113.9\r\n";
  private static final String SWITCHING = "HTTP/1.1 101 Switching Protocols\r\n"
      + "Upgrade: test/1\r\nConnection: Upgrade\r\nX-Backend-Says: hi\r\n\r\n";

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private Server server;
  private ServerConnector connector;
  private RecordingBalancer balancer;
  private TetherProxyHandler handler;

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private ScriptedBackend backend(ScriptedBackend.Script script) throws IOException {
    ScriptedBackend backend = new ScriptedBackend(script);
    closeables.add(backend);
    return backend;
  }

  /** Starts the handler over {@code endpoints} with extra Tether keys. */
  private void startHandler(String endpoints, String... keyValues) throws Exception {
    balancer = new RecordingBalancer(Tether.balancer(Tether.parseConfig(keys(endpoints, keyValues))));
    closeables.add(balancer);
    handler = new TetherProxyHandler(balancer);
    start(handler);
  }

  private void startServlet(String endpoints, String... keyValues) throws Exception {
    balancer = new RecordingBalancer(Tether.balancer(Tether.parseConfig(keys(endpoints, keyValues))));
    closeables.add(balancer);
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder holder = new ServletHolder(new TetherProxyServlet(balancer));
    holder.setAsyncSupported(true);
    holder.setInitOrder(1);
    context.addServlet(holder, "/*");
    start(context);
  }

  private void start(Handler proxy) throws Exception {
    server = new Server(new QueuedThreadPool(64, 8));
    connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(proxy);
    server.start();
    closeables.add(server::stop);
  }

  private static Map<String, String> keys(String endpoints, String... keyValues) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("endpoints", endpoints);
    keys.put("sessionHeader", SESSION);
    for (int i = 0; i < keyValues.length; i += 2) {
      keys.put(keyValues[i], keyValues[i + 1]);
    }
    return keys;
  }

  private Socket client() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), connector.getLocalPort());
    socket.setSoTimeout(20_000);
    closeables.add(socket);
    return socket;
  }

  private static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static String read(InputStream in, int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("EOF in head: " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads until the end of the stream or a reset; returns what came. */
  private static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try {
      in.transferTo(all);
    } catch (SocketException reset) {
      // A reset also ends the stream.
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private void awaitEnded() throws InterruptedException {
    await(() -> balancer.events("tunnelClosed").size() == 1, "the tunnel to end: " + balancer.events);
  }

  private void awaitNoOpenConnections() throws InterruptedException {
    await(() -> connector.getConnectedEndPoints().isEmpty(), "the proxy's connections to close");
  }

  /** Echoes every "ping" as "pong" until the proxy closes or half-closes. */
  private static void pong(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    OutputStream out = socket.getOutputStream();
    for (String ping; !(ping = read(in, 4)).isEmpty(); ) {
      out.write((ping.equals("ping") ? "pong" : "????").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
  }

  /** Answers 101 and then pongs. */
  private ScriptedBackend switchingBackend() throws IOException {
    return backend(socket -> {
      InputStream in = socket.getInputStream();
      requestHeads.add(readHead(in));
      write(socket, SWITCHING);
      pong(socket);
      socket.close();
    });
  }

  private static String sessionFor(ScriptedBackend backend) {
    return Base64.getEncoder().encodeToString(backend.address().getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------------------------------

  /** Answers 101 with "hello" right behind its head, reads the client's 5 early bytes, pongs. */
  private ScriptedBackend helloBackend() throws IOException {
    return backend(socket -> {
      InputStream in = socket.getInputStream();
      requestHeads.add(readHead(in));
      // The client's early bytes can only come once the switch was made.
      write(socket, SWITCHING + "hello");
      earlyBytes.add(read(in, 5));
      pong(socket);
      socket.close();
    });
  }

  /** The tunnel on whichever front end was started over {@code backend}, to its normal end. */
  private void tunnelsBytesBothWaysKeepingEarlyOnes(ScriptedBackend backend) throws Exception {
    Socket client = client();
    // The client sends its first bytes in the same packet as its request.
    write(client, UPGRADE_REQUEST + "\r\nearly");
    InputStream in = client.getInputStream();
    String head = readHead(in);
    assertThat(head).startsWith("HTTP/1.1 101 ").containsIgnoringCase("upgrade: test/1")
        .containsIgnoringCase("connection: upgrade").contains("X-Backend-Says: hi")
        .containsIgnoringCase(SESSION + ": " + sessionFor(backend));
    assertThat(read(in, 5)).isEqualTo("hello");
    for (int i = 0; i < 3; i++) {
      write(client, "ping");
      assertThat(read(in, 4)).isEqualTo("pong");
    }
    assertThat(earlyBytes).containsExactly("early");
    String forwarded = requestHeads.get(0);
    assertThat(forwarded).startsWith("GET /chat?room=%41 HTTP/1.1\r\nHost: app.example\r\n")
        .contains("Connection: Upgrade\r\n").contains("Upgrade: test/1\r\n")
        .contains("X-Forwarded-For: 203.0.113.9,127.0.0.1\r\n")
        .contains("X-Forwarded-Proto: http\r\n");
    assertThat(balancer.events("tunnel")).containsExactly("tunnelOpened " + backend.address());
    client.close();
    await(() -> balancer.events("finish").size() == 1, "the tunnel to end: " + balancer.events);
    assertThat(balancer.events("tunnel"))
        .containsExactly("tunnelOpened " + backend.address(), "tunnelClosed " + backend.address());
    assertThat(balancer.events("finish")).containsExactly("finish " + backend.address() + " 101");
    awaitNoOpenConnections();
  }

  @Test
  void a101TunnelsBytesBothWaysKeepingThoseSentRightAfterEitherHead() throws Exception {
    ScriptedBackend backend = helloBackend();
    startHandler(backend.address());
    tunnelsBytesBothWaysKeepingEarlyOnes(backend);
  }

  @Test
  void theServletRelaysAnUpgradeThroughTheSameRelay() throws Exception {
    ScriptedBackend backend = helloBackend();
    startServlet(backend.address());
    tunnelsBytesBothWaysKeepingEarlyOnes(backend);
  }

  @Test
  void aClientHalfCloseLetsTheBackendFinishItsSide() throws Exception {
    ScriptedBackend backend = backend(socket -> {
      InputStream in = socket.getInputStream();
      readHead(in);
      write(socket, SWITCHING);
      earlyBytes.add(readToEnd(in)); // until the client's half-close reaches us
      write(socket, "bye");
      socket.close();
    });
    startHandler(backend.address());
    Socket client = client();
    write(client, UPGRADE_REQUEST + "\r\n");
    InputStream in = client.getInputStream();
    assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
    write(client, "last words");
    client.shutdownOutput();
    assertThat(readToEnd(in)).isEqualTo("bye");
    assertThat(earlyBytes).containsExactly("last words");
    awaitEnded();
    await(() -> balancer.events("finish").size() == 1, "the tunnel to end normally");
    assertThat(balancer.events("finish")).containsExactly("finish " + backend.address() + " 101");
    assertThat(balancer.events("failed")).isEmpty();
    awaitNoOpenConnections();
  }

  @Test
  void aBackendHalfCloseLetsTheClientGoOn() throws Exception {
    ScriptedBackend backend = backend(socket -> {
      InputStream in = socket.getInputStream();
      readHead(in);
      write(socket, SWITCHING + "done");
      socket.shutdownOutput();
      earlyBytes.add(readToEnd(in));
      socket.close();
    });
    startHandler(backend.address());
    Socket client = client();
    write(client, UPGRADE_REQUEST + "\r\n");
    InputStream in = client.getInputStream();
    assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
    assertThat(readToEnd(in)).isEqualTo("done");
    write(client, "still talking");
    client.shutdownOutput();
    await(() -> earlyBytes.size() == 1, "the backend to read the client's side to its end");
    assertThat(earlyBytes).containsExactly("still talking");
    awaitEnded();
    await(() -> balancer.events("finish").size() == 1, "the tunnel to end normally");
    assertThat(balancer.events("failed")).isEmpty();
    awaitNoOpenConnections();
  }

  @Test
  void aBackendResettingMidTunnelClosesTheClientAndCountsAgainstTheBackend() throws Exception {
    ScriptedBackend backend = backend(socket -> {
      InputStream in = socket.getInputStream();
      readHead(in);
      write(socket, SWITCHING);
      read(in, 4);
      socket.setSoLinger(true, 0);
      socket.close(); // a reset
    });
    startHandler(backend.address());
    Socket client = client();
    write(client, UPGRADE_REQUEST + "\r\n");
    InputStream in = client.getInputStream();
    assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
    write(client, "ping");
    // Jetty reads a reset as the end of the stream: the client sees the backend's side end...
    assertThat(readToEnd(in)).isEmpty();
    // ...and the next bytes it sends cannot be delivered, which ends the tunnel as broken.
    try {
      write(client, "ping");
    } catch (IOException closedAlready) {
      // The proxy may have closed the client's connection by now.
    }
    await(() -> balancer.events("failed").size() == 1, "the tunnel to fail");
    assertThat(balancer.events("failed"))
        .containsExactly("failed " + backend.address() + " RESET_DURING_BODY");
    assertThat(balancer.events("tunnel")).contains("tunnelClosed " + backend.address());
    awaitNoOpenConnections();
  }

  @Test
  void aQuietTunnelClosesAfterTheIdleTimeoutAndNotBefore() throws Exception {
    ScriptedBackend backend = switchingBackend();
    startHandler(backend.address(), "idleTimeout", "1s");
    Socket client = client();
    write(client, UPGRADE_REQUEST + "\r\n");
    InputStream in = client.getInputStream();
    assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
    long opened = System.nanoTime();
    assertThat(readToEnd(in)).isEmpty();
    long openMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
    assertThat(openMillis).isBetween(900L, 10_000L);
    await(() -> balancer.events("failed").size() == 1, "the idle timeout to be reported");
    assertThat(balancer.events("failed"))
        .containsExactly("failed " + backend.address() + " IDLE_TIMEOUT");
    awaitNoOpenConnections();
  }

  @Test
  void theConnectorsShorterIdleTimeoutDoesNotCutAQuietTunnel() throws Exception {
    ScriptedBackend backend = switchingBackend();
    startHandler(backend.address(), "idleTimeout", "30s");
    connector.setIdleTimeout(300);
    Socket client = client();
    write(client, UPGRADE_REQUEST + "\r\n");
    InputStream in = client.getInputStream();
    assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
    // Three times the connector's idle timeout without a byte either way.
    Thread.sleep(1000);
    write(client, "ping");
    assertThat(read(in, 4)).isEqualTo("pong");
    assertThat(balancer.events("failed")).isEmpty();
  }

  @Test
  void aBackendThatDoesNotSwitchIsRelayedAsAResponse() throws Exception {
    ScriptedBackend backend = backend(socket -> {
      readHead(socket.getInputStream());
      write(socket, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/x-why\r\n"
          + "Transfer-Encoding: chunked\r\nX-Why: origin\r\n\r\n"
          + "3\r\nnot\r\n8\r\n allowed\r\n0\r\n\r\n");
      readToEnd(socket.getInputStream());
      socket.close();
    });
    startHandler(backend.address());
    RawHttp.Response response = RawHttp.exchange(
        URI.create("http://127.0.0.1:" + connector.getLocalPort()),
        UPGRADE_REQUEST + "Connection: close\r\n");
    assertThat(response.status()).isEqualTo(403);
    assertThat(response.values("X-Why")).containsExactly("origin");
    assertThat(response.values("Content-Type")).containsExactly("text/x-why");
    assertThat(response.body()).isEqualTo("not allowed");
    await(() -> balancer.events("finish").size() == 1, "the relayed response to finish");
    assertThat(balancer.events("finish")).containsExactly("finish " + backend.address() + " 403");
    assertThat(balancer.events("tunnel")).isEmpty();
  }

  @Test
  void aClientClosingMidHandshakeLeavesNoConnectionOpen() throws Exception {
    CountDownLatch headSeen = new CountDownLatch(1);
    CountDownLatch clientGone = new CountDownLatch(1);
    ScriptedBackend backend = backend(socket -> {
      InputStream in = socket.getInputStream();
      readHead(in);
      headSeen.countDown();
      clientGone.await(10, TimeUnit.SECONDS);
      Thread.sleep(200);
      try {
        write(socket, SWITCHING);
        earlyBytes.add("eof:" + readToEnd(in));
      } catch (IOException e) {
        earlyBytes.add("eof:");
      }
      socket.close();
    });
    startHandler(backend.address());
    Socket client = client();
    write(client, UPGRADE_REQUEST + "\r\n");
    assertThat(headSeen.await(10, TimeUnit.SECONDS)).isTrue();
    client.close();
    clientGone.countDown();
    await(() -> earlyBytes.size() == 1, "the proxy to close the backend connection");
    assertThat(earlyBytes).containsExactly("eof:");
    awaitNoOpenConnections();
    await(() -> balancer.events("tunnelClosed").size() == balancer.events("tunnelOpened").size(),
        "every opened tunnel to close");
  }

  @Test
  void aConnectFailureBeforeTheSwitchIsRetriedOnAnotherBackend() throws Exception {
    ScriptedBackend live = switchingBackend();
    String dead = deadAddress();
    startHandler(dead + "," + live.address());
    Socket client = client();
    String pinned = Base64.getEncoder().encodeToString(dead.getBytes(StandardCharsets.UTF_8));
    write(client, UPGRADE_REQUEST + SESSION + ": " + pinned + "\r\n\r\n");
    InputStream in = client.getInputStream();
    assertThat(readHead(in)).startsWith("HTTP/1.1 101 ")
        .containsIgnoringCase(SESSION + ": " + sessionFor(live));
    write(client, "ping");
    assertThat(read(in, 4)).isEqualTo("pong");
    assertThat(balancer.events("failed")).containsExactly("failed " + dead + " CONNECT");
  }

  @Test
  void anUpgradeNobodyCanTakeGetsEnvoysConnectFailure() throws Exception {
    startHandler(deadAddress());
    RawHttp.Response response = RawHttp.exchange(
        URI.create("http://127.0.0.1:" + connector.getLocalPort()),
        UPGRADE_REQUEST + "Connection: close\r\n");
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.values("Content-Type")).containsExactly("text/plain");
    assertThat(response.body()).isEqualTo(LocalReply.CONNECTION_FAILURE.body());
  }

  @Test
  void aBackendSilentAfterTheUpgradeRequestTimesOutWith504() throws Exception {
    ScriptedBackend backend = backend(socket -> {
      readHead(socket.getInputStream());
      readToEnd(socket.getInputStream());
      socket.close();
    });
    startHandler(backend.address(), "requestTimeout", "500ms");
    long sent = System.nanoTime();
    RawHttp.Response response = RawHttp.exchange(
        URI.create("http://127.0.0.1:" + connector.getLocalPort()),
        UPGRADE_REQUEST + "Connection: close\r\n");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)).isGreaterThanOrEqualTo(450);
    assertThat(response.status()).isEqualTo(504);
    assertThat(response.body()).isEqualTo(LocalReply.REQUEST_TIMEOUT.body());
    assertThat(balancer.events("failed")).containsExactly("failed " + backend.address() + " TIMEOUT");
  }

  @Test
  void twoHundredOpenTunnelsHoldNoThread() throws Exception {
    ScriptedBackend backend = switchingBackend();
    startHandler(backend.address());
    QueuedThreadPool serverThreads = (QueuedThreadPool) server.getThreadPool();
    QueuedThreadPool clientThreads = (QueuedThreadPool) handler.getHttpClient().getExecutor();
    List<Socket> clients = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Socket client = client();
      write(client, UPGRADE_REQUEST + "\r\n");
      assertThat(readHead(client.getInputStream())).startsWith("HTTP/1.1 101 ");
      clients.add(client);
    }
    await(() -> balancer.events("tunnelOpened").size() == 200, "200 open tunnels");
    // Selectors and acceptors are the only threads a quiet server keeps busy.
    await(() -> serverThreads.getBusyThreads() <= 4, "the server's threads to be free");
    await(() -> clientThreads.getBusyThreads() <= 2, "the proxy client's threads to be free");
    Socket last = clients.get(199);
    write(last, "ping");
    assertThat(read(last.getInputStream(), 4)).isEqualTo("pong");
    for (Socket client : clients) {
      client.close();
    }
    await(() -> balancer.events("tunnelClosed").size() == 200, "every tunnel to close");
    awaitNoOpenConnections();
  }

  /** Reads a plain request (head and a Content-Length body), records it, answers 200 "ok". */
  private ScriptedBackend plainBackend() throws IOException {
    return backend(socket -> {
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      requestHeads.add(head);
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      earlyBytes.add(read(in, length));
      write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      readToEnd(in);
      socket.close();
    });
  }

  @Test
  void anUpgradeWithABodyIsForwardedAsAPlainRequestWithoutUpgrade() throws Exception {
    ScriptedBackend backend = plainBackend();
    startHandler(backend.address());
    Socket client = client();
    write(client, "POST /up HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: test/1\r\n"
        + "Content-Length: 4\r\n\r\ndata");
    InputStream in = client.getInputStream();
    assertThat(readHead(in)).startsWith("HTTP/1.1 200 ");
    assertThat(read(in, 2)).isEqualTo("ok");
    assertThat(requestHeads.get(0)).doesNotContainIgnoringCase("upgrade");
    assertThat(earlyBytes).containsExactly("data");
    assertThat(balancer.events("tunnel")).isEmpty();
  }

  @Test
  void connectionUpgradeWithoutUpgradeIsAPlainRequest() throws Exception {
    ScriptedBackend backend = plainBackend();
    startHandler(backend.address());
    RawHttp.Response response = RawHttp.exchange(URI.create("http://127.0.0.1:" + connector.getLocalPort()),
        "GET /plain HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, close\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(requestHeads.get(0)).doesNotContainIgnoringCase("upgrade");
    assertThat(balancer.events("tunnel")).isEmpty();
  }

  /** A port nothing listens on: bound and closed again. */
  private static String deadAddress() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  private final List<String> requestHeads = new CopyOnWriteArrayList<>();
  private final List<String> earlyBytes = new CopyOnWriteArrayList<>();
}
