package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMException;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebSocket and any other HTTP/1.1 upgrade through the valve, over raw sockets on both sides:
 * the backend's 101 and its first bytes reach the client, bytes then flow both ways, half-close
 * is passed on, a closing backend or the idle timeout ends the client connection, and once a
 * tunnel is over nothing of it is left (no open tunnel, nothing in flight). With and without a
 * ROOT Context: a proxied request may have none.
 */
final class TunnelThroughValveTest {
  private static final AtomicInteger names = new AtomicInteger();

  @TempDir Path baseDir;

  private RawBackend backend;
  private Front front;
  private String name;

  @AfterEach
  void stop() throws Exception {
    try {
      if (front != null) {
        awaitNothingOpen();
      }
    } finally {
      if (front != null) {
        front.close();
      }
      if (backend != null) {
        backend.close();
      }
    }
  }

  private void start(boolean rootContext, String... keysAndValues) throws Exception {
    backend = new RawBackend();
    name = "tunnels-" + names.incrementAndGet();
    Map<String, String> attributes = new HashMap<>();
    attributes.put("endpoints", backend.address());
    attributes.put("name", name);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      attributes.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    front = Front.started(new Front(baseDir, attributes, rootContext));
  }

  /** A client that has sent an upgrade request for {@code echo}. */
  private RawHttp upgrade() throws IOException {
    RawHttp client = new RawHttp(front.port());
    client.sendHead("GET /ws?room=1 HTTP/1.1", "Host: front.example", "Connection: Upgrade",
        "Upgrade: echo", "X-Forwarded-For: 203.0.113.9");
    return client;
  }

  /** Reads a 101 head, checking what the valve must say in it. */
  private static RawHttp.Answer switched(RawHttp client) throws IOException {
    RawHttp.Answer head = client.readAnswer(false);
    assertThat(head.status()).isEqualTo(101);
    assertThat(head.header("connection")).isEqualToIgnoringCase("upgrade");
    assertThat(head.header("upgrade")).isEqualTo("echo");
    assertThat(head.header("x-backend")).isEqualTo("raw");
    assertThat(head.header("content-length")).isNull();
    assertThat(head.header("transfer-encoding")).isNull();
    return head;
  }

  private static String read(RawHttp client, int n) throws IOException {
    byte[] bytes = client.in.readNBytes(n);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static void write(RawHttp client, String text) throws IOException {
    client.out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    client.out.flush();
  }

  /** Whether the proxy ended the client's stream (EOF or reset) within {@code millis}. */
  private static boolean endsWithin(RawHttp client, int millis) throws IOException {
    client.socket().setSoTimeout(millis);
    try {
      return client.in.read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @ParameterizedTest(name = "ROOT context: {0}")
  @ValueSource(booleans = {true, false})
  void the101AndBytesAlreadyReadPastEitherHeadReachTheOtherSideThenBytesFlowBothWays(
      boolean rootContext) throws Exception {
    start(rootContext);
    try (RawHttp client = upgrade()) {
      write(client, "early"); // sent before any answer: Tomcat holds it past the request head
      RawBackend.Accepted server = backend.next();
      assertThat(server.head).startsWith("GET /ws?room=1 HTTP/1.1\r\n");
      assertThat(server.header("host")).isEqualTo("front.example");
      assertThat(server.header("connection")).isEqualTo("Upgrade");
      assertThat(server.header("upgrade")).isEqualTo("echo");
      assertThat(server.header("x-forwarded-for")).isEqualTo("203.0.113.9,127.0.0.1");
      server.switchProtocols("echo", "hello"); // the 101 and the first bytes in one write

      switched(client);
      assertThat(read(client, 5)).isEqualTo("hello");
      assertThat(server.read(5)).isEqualTo("early");
      awaitTrue("one open tunnel", () -> front.valve.getOpenTunnels() == 1);
      assertThat(jmx("type=Balancer,name=" + name, "OpenTunnels")).isEqualTo(1);

      for (int i = 0; i < 20; i++) {
        write(client, "ping-" + i);
        assertThat(server.read(("ping-" + i).length())).isEqualTo("ping-" + i);
        server.send("pong-" + i);
        assertThat(read(client, ("pong-" + i).length())).isEqualTo("pong-" + i);
      }
      server.close();
      assertThat(endsWithin(client, 5_000)).isTrue();
    }
    // Logged with its upstream, by Tomcat through the Context, or by the valve without one.
    assertThat(TestClients.awaitLines(front.accessLog, 1))
        .contains("GET /ws?room=1 HTTP/1.1 101 " + backend.address());
  }

  @Test
  void aClientThatShutsItsOutputStillGetsEverythingTheBackendSendsAfterwards() throws Exception {
    start(true);
    try (RawHttp client = upgrade()) {
      RawBackend.Accepted server = backend.next();
      server.switchProtocols("echo", "");
      switched(client);
      write(client, "last words");
      client.socket().shutdownOutput();
      assertThat(server.read(10)).isEqualTo("last words");
      assertThat(server.endsWithin(5_000)).as("the client's FIN reaches the backend").isTrue();
      // The other way goes on.
      server.send("an answer after the client's FIN");
      assertThat(read(client, 32)).isEqualTo("an answer after the client's FIN");
      server.socket.shutdownOutput();
      assertThat(endsWithin(client, 5_000)).isTrue();
    }
  }

  @Test
  void aBackendThatShutsItsOutputStillGetsEverythingTheClientSendsAfterwards() throws Exception {
    start(true);
    try (RawHttp client = upgrade()) {
      RawBackend.Accepted server = backend.next();
      server.switchProtocols("echo", "bye");
      switched(client);
      server.socket.shutdownOutput();
      assertThat(read(client, 3)).isEqualTo("bye");
      assertThat(endsWithin(client, 5_000)).as("the backend's FIN reaches the client").isTrue();
      write(client, "still talking");
      assertThat(server.read(13)).isEqualTo("still talking");
      client.socket().shutdownOutput();
      assertThat(server.endsWithin(5_000)).isTrue();
    }
  }

  @Test
  void aBackendThatResetsMidTunnelEndsTheClientConnectionPromptly() throws Exception {
    start(true);
    try (RawHttp client = upgrade()) {
      RawBackend.Accepted server = backend.next();
      server.switchProtocols("echo", "");
      switched(client);
      write(client, "x");
      assertThat(server.read(1)).isEqualTo("x");
      server.socket.setSoLinger(true, 0); // RST, not FIN
      server.close();
      assertThat(endsWithin(client, 5_000)).isTrue();
    }
  }

  @Test
  void aSilentTunnelIsClosedAfterTheIdleTimeoutOnBothSides() throws Exception {
    start(true, "idleTimeout", "400ms");
    try (RawHttp client = upgrade()) {
      RawBackend.Accepted server = backend.next();
      server.switchProtocols("echo", "");
      switched(client);
      // Traffic keeps it open past the timeout.
      for (int i = 0; i < 4; i++) {
        Thread.sleep(150); // a pace below the timeout, not a wait for a state
        write(client, "k");
        assertThat(server.read(1)).isEqualTo("k");
      }
      long silentSince = System.nanoTime();
      assertThat(endsWithin(client, 10_000)).isTrue();
      long millis = (System.nanoTime() - silentSince) / 1_000_000;
      assertThat(millis).isBetween(300L, 9_000L);
      assertThat(server.endsWithin(5_000)).isTrue();
    }
  }

  @ParameterizedTest(name = "ROOT context: {0}")
  @ValueSource(booleans = {true, false})
  void aBackendThatDoesNotSwitchIsRelayedAsAPlainResponseOnAConnectionThatGoesOn(
      boolean rootContext) throws Exception {
    start(rootContext);
    try (RawHttp client = upgrade()) {
      RawBackend.Accepted server = backend.next();
      server.send("HTTP/1.1 426 Upgrade Required\r\nContent-Type: text/plain\r\n"
          + "Content-Length: 7\r\nUpgrade: other\r\n\r\nno echo");
      RawHttp.Answer answer = client.readAnswer(true);
      assertThat(answer.status()).isEqualTo(426);
      assertThat(answer.text()).isEqualTo("no echo");
      assertThat(answer.header("upgrade")).as("hop-by-hop on a plain response").isNull();
      // The client connection is an HTTP/1.1 connection still.
      client.sendHead("GET /next HTTP/1.1", "Host: front.example");
      RawBackend.Accepted second = nextOnEitherConnection(server);
      assertThat(second.head).startsWith("GET /next HTTP/1.1\r\n");
      second.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      assertThat(client.readAnswer(true).text()).isEqualTo("ok");
    }
  }

  /** The next request: on the pooled connection (read here) or on a new one. */
  private RawBackend.Accepted nextOnEitherConnection(RawBackend.Accepted pooled)
      throws IOException, InterruptedException {
    StringBuilder head = new StringBuilder();
    pooled.socket.setSoTimeout(2_000);
    try {
      while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
        int b = pooled.in.read();
        if (b < 0) {
          return backend.next();
        }
        head.append((char) b);
      }
      return new RawBackend.Accepted(pooled.socket, head.toString());
    } catch (SocketTimeoutException notThere) {
      return backend.next();
    }
  }

  @ParameterizedTest(name = "ROOT context: {0}")
  @ValueSource(booleans = {true, false})
  void aClientThatClosesMidHandshakeLeavesNothingOpen(boolean rootContext) throws Exception {
    start(rootContext);
    RawHttp client = upgrade();
    RawBackend.Accepted server = backend.next();
    client.socket().setSoLinger(true, 0);
    client.close(); // before the 101
    server.switchProtocols("echo", "anyone there?");
    assertThat(server.endsWithin(10_000)).as("the backend connection is closed").isTrue();
  }

  @Test
  void stoppingTheValveClosesItsOpenTunnels() throws Exception {
    start(true);
    try (RawHttp client = upgrade()) {
      RawBackend.Accepted server = backend.next();
      server.switchProtocols("echo", "");
      switched(client);
      front.valve.stop();
      assertThat(endsWithin(client, 5_000)).isTrue();
      assertThat(server.endsWithin(5_000)).isTrue();
      assertThat(front.valve.getOpenTunnels()).isZero();
    }
  }

  @Test
  void bytesCrossInBoundedAmountsWhileTheOtherSideDoesNotRead() throws Exception {
    start(true);
    long total = 96L * 1024 * 1024; // more than the test heap (-Xmx128m) could hold twice over
    long bound = 64L * 1024 * 1024;
    try (RawHttp client = upgrade()) {
      RawBackend.Accepted server = backend.next();
      server.switchProtocols("echo", "");
      switched(client);

      // Client -> server, the backend not reading: the client must stall below the bound.
      Pump up = Pump.start("up", client.out, total);
      Pump.awaitStalled(up, bound);
      assertThat(Bodies.sha256(server.in, total)).isEqualTo(Bodies.sha256(total));
      up.finish();

      // Server -> client, the client not reading.
      Pump down = Pump.start("down", server.out, total);
      Pump.awaitStalled(down, bound);
      assertThat(Bodies.sha256(client.in, total)).isEqualTo(Bodies.sha256(total));
      down.finish();
      server.close();
    }
  }

  @Test
  void twoHundredOpenTunnelsHoldNoTomcatThread() throws Exception {
    start(false);
    int count = 200;
    RawHttp[] clients = new RawHttp[count];
    RawBackend.Accepted[] servers = new RawBackend.Accepted[count];
    try {
      for (int i = 0; i < count; i++) {
        clients[i] = upgrade();
        servers[i] = backend.next();
        servers[i].switchProtocols("echo", "");
        switched(clients[i]);
      }
      awaitTrue(count + " open tunnels", () -> front.valve.getOpenTunnels() == count);
      assertThat(jmx("type=Balancer,name=" + name, "OpenTunnels")).isEqualTo(count);
      org.apache.tomcat.util.threads.ThreadPoolExecutor executor =
          (org.apache.tomcat.util.threads.ThreadPoolExecutor)
              front.tomcat.getConnector().getProtocolHandler().getExecutor();
      awaitTrue("no busy Tomcat thread", () -> executor.getActiveCount() == 0);
      for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
        for (StackTraceElement frame : thread.getValue()) {
          assertThat(frame.getClassName()).as(thread.getKey().getName())
              .isNotEqualTo(TunnelHandler.class.getName());
        }
      }
      // Every tunnel still works.
      for (int i = 0; i < count; i += 20) {
        write(clients[i], "t" + i);
        assertThat(servers[i].read(("t" + i).length())).isEqualTo("t" + i);
        servers[i].send("r" + i);
        assertThat(read(clients[i], ("r" + i).length())).isEqualTo("r" + i);
      }
    } finally {
      for (int i = 0; i < count; i++) {
        if (clients[i] != null) {
          clients[i].close();
        }
      }
    }
    // Each client's FIN is passed on; the backend answers it by closing.
    for (RawBackend.Accepted server : servers) {
      if (server != null) {
        assertThat(server.endsWithin(5_000)).isTrue();
        server.close();
      }
    }
  }

  // ------------------------------------------------------------------------------ books

  private void awaitNothingOpen() throws Exception {
    awaitTrue("no open tunnel and nothing in flight", () -> front.valve.getOpenTunnels() == 0
        && jmx("type=Balancer,name=" + name, "OpenTunnels") == 0
        && jmx("type=Endpoint,balancer=" + name + ",address=" + ObjectName.quote(
            backend.address()), "RequestsInFlight") == 0);
  }

  /** A Tether JMX attribute; 0 once the valve stopped (its balancer's beans are gone). */
  private int jmx(String keys, String attribute) throws JMException {
    if (front.valve.getBalancer() == null) {
      return 0;
    }
    return (Integer) ManagementFactory.getPlatformMBeanServer()
        .getAttribute(new ObjectName("dev.tether:" + keys), attribute);
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  static void awaitTrue(String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.holds()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
