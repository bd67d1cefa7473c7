package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.api.Balancer;
import dev.tether.client.UpstreamOptions;
import dev.tether.core.ConfigException;
import dev.tether.core.Tether;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The scenario suite on the core handler, embedded as the demo embeds it. */
final class TetherProxyHandlerTest extends ProxyScenarios {

  @Override
  Proxy start(Balancer balancer) throws Exception {
    return start(new TetherProxyHandler(balancer));
  }

  private Proxy start(TetherProxyHandler handler) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    List<String> upstreams = new CopyOnWriteArrayList<>();
    server.setHandler(new Handler.Wrapper(handler) {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        boolean handled = super.handle(request, response, callback);
        Object upstream = request.getAttribute("tether.upstream");
        if (upstream != null) {
          upstreams.add(upstream.toString());
        }
        return handled;
      }
    });
    server.start();
    URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    return new Proxy() {
      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public List<String> upstreams() {
        return upstreams;
      }

      @Override
      public void close() {
        try {
          server.stop();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  @Test
  void fromPropertiesAcceptsPrefixedKeysAndIgnoresBlankOnes() throws Exception {
    TetherProxyHandler handler = TetherProxyHandler.fromProperties(Map.of(
        "tether.endpoints", backends.get(0).address(),
        "sessionHeader", SESSION_HEADER,
        "tether.hashPolicy", "  "), Path.of(""));
    assertThat(handler.balancer().endpoints()).hasSize(1);
    assertThat(handler.balancer().config().session().name()).isEqualTo(SESSION_HEADER);
    assertThat(handler.balancer().config().hashPolicies()).isEmpty();
  }

  @Test
  void stoppingTheHandlerClosesTheBalancerItBuiltAndStartingBuildsANewOne() throws Exception {
    TetherProxyHandler handler = TetherProxyHandler.fromProperties(Map.of(
        "endpoints", backends.get(0).address(), "name", "handler-lifecycle"), Path.of(""));
    ObjectName bean = new ObjectName("dev.tether:type=Balancer,name=handler-lifecycle");
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    Server server = new Server();
    server.setHandler(handler);
    try {
      server.start();
      assertThat(jmx.isRegistered(bean)).isTrue();
      server.stop();
      assertThat(jmx.isRegistered(bean)).as("closed with the handler").isFalse();
      server.start();
      assertThat(jmx.isRegistered(bean)).as("rebuilt on restart").isTrue();
    } finally {
      server.stop();
    }
    assertThat(jmx.isRegistered(bean)).isFalse();
  }

  @Test
  void aBalancerPassedInIsLeftOpenWhenTheHandlerStops() throws Exception {
    RecordingBalancer balancer = new RecordingBalancer(Tether.balancer(Tether.parseConfig(keys())));
    Proxy proxy = proxy(balancer);
    proxy.close();
    assertThat(balancer.events).doesNotContain("close");
    balancer.close();
  }

  @Test
  void aBadValueIsRejectedNamingKeyValueAndExpectation() {
    assertThatThrownBy(() -> TetherProxyHandler.fromProperties(Map.of(
        "endpoints", "127.0.0.1:9001", "minimumRingSize", "20", "maximumRingSize", "10"),
        Path.of("")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("minimumRingSize: 20 (expected: <= maximumRingSize 10)");
  }

  // --- the handler's own client to the backends -------------------------------------------------

  @Test
  void sequentialRequestsReuseOneBackendConnection() throws Exception {
    TetherProxyHandler handler = new TetherProxyHandler(Tether.balancer(Tether.parseConfig(
        Map.of("endpoints", backends.get(0).address()))));
    try (Proxy proxy = start(handler)) {
      for (int i = 0; i < 10; i++) {
        assertThat(get(proxy, "/reuse?i=" + i).statusCode()).isEqualTo(200);
      }
      assertThat(handler.upstreamClient().connectionsOpened()).isEqualTo(1);
    } finally {
      handler.balancer().close();
    }
  }

  @Test
  void everyHopByHopNameIsAHeaderJettyKnowsSoUnknownFieldsNeedNoLowerCasing() {
    for (String name : ProxyRules.HOP_BY_HOP) {
      assertThat(HttpHeader.CACHE.get(name)).as(name).isNotNull();
      assertThat(TetherProxyHandler.isHopByHop(HttpHeader.CACHE.get(name), name, Set.of()))
          .as(name).isTrue();
    }
    assertThat(TetherProxyHandler.isHopByHop(null, "X-Listed", Set.of("x-listed"))).isTrue();
    assertThat(TetherProxyHandler.isHopByHop(null, "X-Other", Set.of("x-listed"))).isFalse();
  }

  @Test
  void theBackendsServerAndDateReplaceJettysAndAHeadKeepsItsContentLength() throws Exception {
    try (RawBackend backend = new RawBackend(socket -> {
      readHead(socket);
      write(socket, "HTTP/1.1 200 OK\r\nServer: backend/1\r\nDate: Wed, 21 Oct 2037 07:28:00 GMT"
          + "\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n"
          + "Connection: close\r\n\r\n");
      close(socket);
    })) {
      Proxy proxy = proxy(new RecordingBalancer(Tether.balancer(
          Tether.parseConfig(Map.of("endpoints", backend.address())))));
      RawHttp.Response head = RawHttp.exchange(proxy.uri(),
          "HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.values("Server")).containsExactly("backend/1");
      assertThat(head.values("Date")).containsExactly("Wed, 21 Oct 2037 07:28:00 GMT");
      assertThat(head.values("Set-Cookie")).containsExactly("a=1", "b=2");
      assertThat(head.values("Content-Length")).containsExactly("5");
      assertThat(head.body()).isEmpty();
    }
  }

  @Test
  void aBackendThatSendsNoResponseHeadInTimeAnswers504AndIsNotRetried() throws Exception {
    try (RawBackend silent = new RawBackend(socket -> readHead(socket))) {
      RecordingBalancer balancer = new RecordingBalancer(Tether.balancer(
          Tether.parseConfig(Map.of("endpoints", silent.address()))));
      try (Proxy proxy = start(new TetherProxyHandler(balancer,
          UpstreamOptions.DEFAULTS.withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(200))))) {
        assertThat(get(proxy, "/slow").statusCode()).isEqualTo(504);
      } finally {
        balancer.close();
      }
      assertThat(balancer.events("start")).containsExactly("start " + silent.address());
      assertThat(balancer.events("finish")).containsExactly("finish " + silent.address() + " 0");
    }
  }

  @Test
  void aBackendThatClosesBeforeAnsweringAnswers502AndIsNotRetried() throws Exception {
    try (RawBackend closing = new RawBackend(socket -> {
      readHead(socket);
      close(socket);
    })) {
      RecordingBalancer balancer = new RecordingBalancer(Tether.balancer(
          Tether.parseConfig(Map.of("endpoints", closing.address()))));
      Proxy proxy = proxy(balancer);
      assertThat(get(proxy, "/dropped").statusCode()).isEqualTo(502);
      assertThat(balancer.events("start")).containsExactly("start " + closing.address());
      assertThat(balancer.events("finish")).containsExactly("finish " + closing.address() + " 0");
    }
  }

  @Test
  void aBackendThatAnswersGarbageAnswers502() throws Exception {
    try (RawBackend garbage = new RawBackend(socket -> {
      readHead(socket);
      write(socket, "SSH-2.0-not-http\r\n\r\n");
    })) {
      Proxy proxy = proxy(new RecordingBalancer(Tether.balancer(
          Tether.parseConfig(Map.of("endpoints", garbage.address())))));
      assertThat(get(proxy, "/garbage").statusCode()).isEqualTo(502);
    }
  }

  @Test
  void aBodyCutShortAfterTheHeadAbortsTheClientResponse() throws Exception {
    byte[] first = "x".repeat(64 * 1024).getBytes(StandardCharsets.ISO_8859_1);
    try (RawBackend cut = new RawBackend(socket -> {
      readHead(socket);
      write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
      try {
        socket.getOutputStream().write(first);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        return;
      }
      close(socket);
    })) {
      Proxy proxy = proxy(new RecordingBalancer(Tether.balancer(
          Tether.parseConfig(Map.of("endpoints", cut.address())))));
      RawHttp.Response response = RawHttp.exchange(proxy.uri(),
          "GET /cut HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.values("Content-Length")).containsExactly("1000000");
      // The connection ends without the rest: the client can tell the body is incomplete.
      assertThat(response.body().length()).isLessThan(1000000);
    }
  }

  private static void readHead(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      int state = 0;
      for (int b; state < 4 && (b = in.read()) >= 0; ) {
        state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : b == '\r' ? 1 : 0;
      }
    } catch (IOException e) {
      // The proxy gave up first.
    }
  }

  private static void write(Socket socket, String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
    } catch (IOException e) {
      // The proxy gave up first.
    }
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  /**
   * A backend on 127.0.0.1 that misbehaves as told on each accepted connection; the connection
   * stays open until the behaviour closes it or the backend is closed.
   */
  private static final class RawBackend implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    RawBackend(Consumer<Socket> behaviour) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            accepted.add(socket);
            Thread connection =
                new Thread(() -> behaviour.accept(socket), "raw-backend-connection");
            connection.setDaemon(true);
            connection.start();
          } catch (IOException e) {
            return;
          }
        }
      }, "raw-backend");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String address() {
      return "127.0.0.1:" + server.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      server.close();
      for (Socket socket : accepted) {
        socket.close();
      }
      acceptor.join(5_000);
    }
  }
}
