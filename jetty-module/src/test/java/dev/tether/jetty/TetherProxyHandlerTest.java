package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.core.ConfigException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
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
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setIdleTimeout(connectorIdleMillis);
    server.addConnector(connector);
    List<String> upstreams = new CopyOnWriteArrayList<>();
    server.setHandler(new Handler.Wrapper(new TetherProxyHandler(balancer)) {
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
  void anH2cClientIsServedOverHttp2AndItsUpgradeIsNotTunnelled() throws Exception {
    RecordingBalancer balancer = new RecordingBalancer(Tether.balancer(Tether.parseConfig(
        keys("sessionHeader", SESSION_HEADER))));
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    ServerConnector connector = new ServerConnector(server,
        new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(new TetherProxyHandler(balancer));
    server.start();
    try {
      java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_2).build();
      Backend target = backends.get(1);
      for (int i = 0; i < 3; i++) {
        // The first request carries Upgrade: h2c, which Jetty itself answers.
        java.net.http.HttpResponse<String> response = h2.send(java.net.http.HttpRequest
                .newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/h2"))
                .header(SESSION_HEADER, target.sessionHeaderValue()).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(response.body()).isEqualTo(target.address());
      }
      assertThat(balancer.events("tunnel")).isEmpty();
      assertThat(Backend.values(target.lastRequestHeaders(), "Host"))
          .containsExactly("127.0.0.1:" + connector.getLocalPort());
    } finally {
      server.stop();
      balancer.close();
    }
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
}
