package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.api.HashPolicy;
import dev.tether.api.LoadBalancerType;
import dev.tether.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.xml.XmlConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code etc/tether-check.xml} and {@code etc/tether.xml} the way start.jar does (after
 * {@code etc/jetty.xml} has defined {@code Server} and {@code Contexts}), with properties as
 * {@code start.d/tether.ini} gives them.
 */
final class TetherXmlTest {
  @TempDir
  Path jettyBase;

  private TetherProxyHandler configure(Map<String, String> properties) throws Exception {
    Server server = new Server();
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    server.setHandler(contexts);
    XmlConfiguration xml = new XmlConfiguration(
        ResourceFactory.root().newResource(Path.of("src/main/jetty/etc/tether.xml")));
    xml.getIdMap().put("Server", server);
    xml.getIdMap().put("Contexts", contexts);
    xml.getProperties().put("jetty.base", jettyBase.toString());
    xml.getProperties().putAll(properties);
    xml.configure(server);
    assertThat(contexts.getHandlers()).hasSize(1);
    ContextHandler context = (ContextHandler) contexts.getHandlers().get(0);
    assertThat(context.getContextPath()).isEqualTo("/");
    Handler handler = context.getHandler();
    assertThat(handler).isInstanceOf(TetherProxyHandler.class);
    return (TetherProxyHandler) handler;
  }

  @Test
  void propertiesReachTheHandlerAndUnsetOnesKeepTheirDefaults() throws Exception {
    TetherProxyHandler handler = configure(Map.of(
        "tether.endpoints", "127.0.0.1:9001,127.0.0.1:9002",
        "tether.sessionCookie", "tether-session:/app",
        "tether.loadBalancer", "MAGLEV"));
    assertThat(handler.balancer().endpoints()).hasSize(2);
    assertThat(handler.balancer().config().session().name()).isEqualTo("tether-session");
    assertThat(handler.balancer().config().session().path()).isEqualTo("/app");
    assertThat(handler.balancer().config().loadBalancer()).isEqualTo(LoadBalancerType.MAGLEV);
    assertThat(handler.balancer().config().minimumRingSize()).isEqualTo(1024);
  }

  @Test
  void aRelativeDestinationRuleIsReadFromTheJettyBase() throws Exception {
    Files.createDirectories(jettyBase.resolve("etc"));
    Files.writeString(jettyBase.resolve("etc/dr.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: app
        spec:
          host: app
          trafficPolicy:
            loadBalancer:
              consistentHash:
                httpHeaderName: x-user
                maglev: {tableSize: 1009}
        """);
    TetherProxyHandler handler = configure(Map.of(
        "tether.endpoints", "127.0.0.1:9001",
        "tether.destinationRule", "etc/dr.yaml"));
    assertThat(handler.balancer().config().hashPolicies()).containsExactly(HashPolicy.header("x-user"));
    assertThat(handler.balancer().config().tableSize()).isEqualTo(1009);
  }

  @Test
  void aBadValueStopsConfigurationWithKeyValueExpected() {
    assertThatThrownBy(() -> configure(Map.of(
        "tether.endpoints", "127.0.0.1:9001",
        "tether.tableSize", "1000")))
        .hasRootCauseInstanceOf(ConfigException.class)
        .rootCause()
        .hasMessageStartingWith("tableSize: 1000 (expected: ");
  }

  /** What start.jar does with etc/tether-check.xml: every property of the base, then configure. */
  private static void check(Map<String, String> properties) throws Exception {
    XmlConfiguration xml = new XmlConfiguration(
        ResourceFactory.root().newResource(Path.of("src/main/jetty/etc/tether-check.xml")));
    xml.getProperties().put("jetty.base", "/srv/jetty-base");
    xml.getProperties().put("jetty.http.port", "8080");
    xml.getProperties().putAll(properties);
    assertThat(xml.configure()).as("the check makes nothing to start").isNull();
  }

  @Test
  void aMisspelledTetherPropertyStopsStartupNamingTheKeyItMeant() {
    assertThatThrownBy(() -> check(Map.of(
        "tether.endpoints", "127.0.0.1:9001",
        "tether.requestTimout", "2s")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tether.requestTimout: 2s (expected: a Tether key; did you mean requestTimeout?)");
    assertThatThrownBy(() -> check(Map.of("tether.frobnicate", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tether.frobnicate: 1 (expected: a Tether key: endpoints, ");
  }

  @Test
  void everyKeyAndEveryOtherPropertyPassesTheCheck() throws Exception {
    Map<String, String> all = new java.util.HashMap<>();
    for (String key : dev.tether.Tether.defaults().keySet()) {
      all.put("tether." + key, "");
    }
    all.put("jetty.httpConfig.headerCacheSize", "0");
    all.put("tetherish.thing", "not ours");
    check(all);
  }

  @Test
  void missingEndpointsStopConfiguration() {
    assertThatThrownBy(() -> configure(Map.of()))
        .rootCause()
        .hasMessageStartingWith("endpoints:  (expected: ");
  }
}
