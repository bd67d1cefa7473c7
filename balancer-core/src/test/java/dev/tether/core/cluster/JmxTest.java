package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Failure;
import dev.tether.api.Outcome;
import dev.tether.api.TetherConfig;
import dev.tether.core.Fixtures;
import dev.tether.core.Inspection;
import dev.tether.core.TestRequest;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class JmxTest {
  private static final String THREE = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";
  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  private Set<String> names(MBeanServer server, String pattern) throws JMException {
    Set<String> names = new TreeSet<>();
    for (ObjectName name : server.queryNames(new ObjectName(pattern), null)) {
      names.add(name.toString());
    }
    return names;
  }

  @Test
  void eachBalancerAndEndpointHasABean() throws JMException {
    cluster.start("endpoints", THREE, "name", "front");
    assertThat(names(cluster.mbeans, "dev.tether:*")).containsExactly(
        "dev.tether:type=Balancer,name=front",
        "dev.tether:type=Endpoint,balancer=front,address=\"10.0.0.1:80\"",
        "dev.tether:type=Endpoint,balancer=front,address=\"10.0.0.2:80\"",
        "dev.tether:type=Endpoint,balancer=front,address=\"10.0.0.3:80\"");
    assertThat(cluster.mbeanAttribute("EndpointSource")).isEqualTo("static endpoints");
    assertThat(cluster.mbeanAttribute("EndpointCount")).isEqualTo("3");
    assertThat((String[]) cluster.mbean(cluster.balancerName(), "EndpointAddresses"))
        .containsExactly("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
    assertThat(cluster.mbeanAttribute("HealthyEndpointCount")).isEqualTo("3");
  }

  @Test
  void aTakenNameGetsASuffixAndClosingUnregisters() throws JMException {
    cluster.start("endpoints", THREE);
    TetherConfig config = Fixtures.config("endpoints", "10.0.0.9:80");
    try (Balancer second = ClusterRuntime.start(config, cluster.environment());
        Balancer third = ClusterRuntime.start(config, cluster.environment())) {
      assertThat(names(cluster.mbeans, "dev.tether:type=Balancer,*")).containsExactly(
          "dev.tether:type=Balancer,name=tether", "dev.tether:type=Balancer,name=tether-2",
          "dev.tether:type=Balancer,name=tether-3");
      assertThat(names(cluster.mbeans, "dev.tether:type=Endpoint,balancer=tether-3,*"))
          .containsExactly("dev.tether:type=Endpoint,balancer=tether-3,address=\"10.0.0.9:80\"");
      second.close();
      second.close();
      assertThat(names(cluster.mbeans, "dev.tether:type=Balancer,*")).containsExactly(
          "dev.tether:type=Balancer,name=tether", "dev.tether:type=Balancer,name=tether-3");
    }
    cluster.close();
    assertThat(names(cluster.mbeans, "dev.tether:*")).isEmpty();
  }

  @Test
  void endpointBeansFollowDiscovery() throws JMException {
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2"));
    cluster.start("endpoints", "dns:web:80");
    cluster.dns.put("web", List.of("10.0.0.2", "10.0.0.3"));
    cluster.advance(Duration.ofSeconds(5));
    assertThat(names(cluster.mbeans, "dev.tether:type=Endpoint,*")).containsExactly(
        "dev.tether:type=Endpoint,balancer=tether,address=\"10.0.0.2:80\"",
        "dev.tether:type=Endpoint,balancer=tether,address=\"10.0.0.3:80\"");
    assertThat(cluster.mbeanAttribute("EndpointSource")).isEqualTo("dns:web:80");
  }

  @Test
  void openTunnelsAreShownPerEndpointAndInTotalAndCountAsInFlight() {
    cluster.start("endpoints", THREE);
    Endpoint b = cluster.endpoint("10.0.0.2:80");
    cluster.balancer.requestStarted(b);
    cluster.balancer.tunnelOpened(b);
    cluster.balancer.requestStarted(b);
    cluster.balancer.tunnelOpened(b);
    ObjectName name = cluster.endpointName("10.0.0.2:80");
    assertThat(cluster.mbean(name, "OpenTunnels")).isEqualTo(2);
    assertThat(cluster.mbean(name, "RequestsInFlight")).isEqualTo(2);
    assertThat(cluster.mbeanAttribute("OpenTunnels")).isEqualTo("2");
    cluster.balancer.tunnelClosed(b);
    cluster.balancer.requestFinished(b, 101);
    assertThat(cluster.mbean(name, "OpenTunnels")).isEqualTo(1);
    assertThat(cluster.mbean(name, "RequestsInFlight")).isEqualTo(1);
    cluster.balancer.tunnelClosed(b);
    cluster.balancer.requestFailed(b, Failure.IDLE_TIMEOUT);
    assertThat(cluster.mbean(name, "OpenTunnels")).isEqualTo(0);
    assertThat(cluster.mbean(name, "RequestsInFlight")).isEqualTo(0);
    assertThat(cluster.mbeanAttribute("OpenTunnels")).isEqualTo("0");
  }

  @Test
  void countersCountWhatContainersReport() {
    cluster.start("endpoints", THREE, "sessionHeader", "s", "sessionStrict", "true");
    String pinned = Inspection.encodeHeaderSession("10.0.0.2:80");
    for (int i = 0; i < 3; i++) {
      Decision d = cluster.balancer.route(TestRequest.get("/").header("s", pinned));
      cluster.balancer.requestStarted(d.endpoint());
      if (i == 0) {
        cluster.balancer.requestFailed(d.endpoint(), Failure.CONNECT);
      } else {
        cluster.balancer.requestFinished(d.endpoint(), i == 1 ? 502 : 200);
      }
    }
    Decision rejected = cluster.balancer.route(TestRequest.get("/")
        .header("s", Inspection.encodeHeaderSession("10.0.0.9:80")));
    assertThat(rejected.outcome()).isEqualTo(Outcome.STRICT_REJECTED);
    cluster.balancer.route(TestRequest.get("/").header("s", "!!not base64"));

    ObjectName b = cluster.endpointName("10.0.0.2:80");
    assertThat(cluster.mbean(b, "Requests")).isEqualTo(3L);
    assertThat(cluster.mbean(b, "PinnedSessionHits")).isEqualTo(3L);
    assertThat(cluster.mbean(b, "ConnectFailures")).isEqualTo(1L);
    assertThat(cluster.mbean(b, "ServerErrors")).isEqualTo(1L);
    assertThat(cluster.mbean(b, "Failures")).isEqualTo(2L);
    assertThat(cluster.mbean(b, "RequestsInFlight")).isEqualTo(0);
    assertThat(cluster.mbean(b, "OpenTunnels")).isEqualTo(0);
    assertThat(cluster.mbean(b, "Health")).isEqualTo("HEALTHY");
    assertThat(cluster.mbeanAttribute("PinnedSessionHits")).isEqualTo("3");
    assertThat(cluster.mbeanAttribute("StrictRejections")).isEqualTo("1");
    assertThat(cluster.mbeanAttribute("InvalidSessionValues")).isEqualTo("1");
    assertThat(cluster.mbeanAttribute("NoHealthyUpstream")).isEqualTo("0");
  }

  @Test
  void eachEndpointShowsItsShareOfTheTableAndADrainedOneHasNone() throws JMException {
    cluster.start("endpoints", THREE, "loadBalancer", "MAGLEV");
    double total = 0;
    for (String address : List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80")) {
      double share = (double) cluster.mbean(cluster.endpointName(address), "Share");
      assertThat(share).as("share of %s", address).isCloseTo(1.0 / 3, within(0.01));
      assertThat((int) cluster.mbean(cluster.endpointName(address), "TableEntries"))
          .isCloseTo(65537 / 3, within(50));
      total += share;
    }
    assertThat(total).isCloseTo(1.0, within(1e-9));

    cluster.mbeans.invoke(cluster.balancerName(), "drain", new Object[] {"10.0.0.2:80"},
        new String[] {String.class.getName()});
    assertThat(cluster.mbean(cluster.endpointName("10.0.0.2:80"), "Share")).isEqualTo(0.0);
    assertThat(cluster.mbean(cluster.endpointName("10.0.0.2:80"), "TableEntries")).isEqualTo(0);
    assertThat((double) cluster.mbean(cluster.endpointName("10.0.0.1:80"), "Share"))
        .isCloseTo(0.5, within(0.01));
  }

  private String[] pick(String... headers) throws JMException {
    return (String[]) cluster.mbeans.invoke(cluster.balancerName(), "pick",
        new Object[] {"GET", "/cart?id=7", headers, "192.168.1.20", 51234, "10.0.0.9", 8080},
        new String[] {String.class.getName(), String.class.getName(), String[].class.getName(),
            String.class.getName(), int.class.getName(), String.class.getName(),
            int.class.getName()});
  }

  @Test
  void pickAnswersAsTheBalancerRoutesAndCountsNothing() throws JMException {
    cluster.start("endpoints", THREE, "sessionHeader", "s", "hashPolicy", "header:user");
    String pinned = Inspection.encodeHeaderSession("10.0.0.3:80");
    assertThat(pick("s: " + pinned)).containsExactly("10.0.0.3:80");
    String expected = cluster.balancer.route(TestRequest.get("/").header("user", "u1"))
        .endpoint().address();
    String[] byHash = pick("user: u1");
    assertThat(byHash[0]).isEqualTo(expected);
    assertThat(byHash).hasSize(2);
    assertThat(byHash[1]).isEqualTo("s: " + Inspection.encodeHeaderSession(expected));
    assertThat(pick("s: !!not base64", "user: u1")[0]).isEqualTo(expected);
    assertThat(cluster.mbeanAttribute("PinnedSessionHits")).isEqualTo("0");
    assertThat(cluster.mbeanAttribute("InvalidSessionValues")).isEqualTo("0");

    cluster.mbeans.invoke(cluster.balancerName(), "drain", new Object[] {expected},
        new String[] {String.class.getName()});
    assertThat(pick("user: u1")[0]).as("a drained endpoint takes no new session")
        .isNotEqualTo(expected);
    assertThat(pick("s: " + Inspection.encodeHeaderSession(expected)))
        .as("but keeps its own").containsExactly(expected);
  }

  @Test
  void pickWithNoEndpointAnswersNothingAndABadHeaderIsRefused() {
    cluster.start("endpoints", "10.0.0.1:80;health=UNHEALTHY", "panicThreshold", "0");
    assertThatCode(() -> assertThat(pick()).isEmpty()).doesNotThrowAnyException();
    assertThatThrownBy(() -> pick("no colon"))
        .hasRootCauseInstanceOf(IllegalArgumentException.class)
        .hasStackTraceContaining("headers[0]: no colon (expected: 'Name: value')");
  }

  @Test
  void tetherBalancerRegistersInThePlatformServer() throws JMException {
    MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
    String pattern = "dev.tether:type=Balancer,name=platform-check*";
    try (Balancer balancer = Tether.balancer(Fixtures.config("endpoints", THREE,
        "name", "platform-check"))) {
      assertThat(balancer.route(TestRequest.get("/")).routed()).isTrue();
      assertThat(names(platform, pattern)).hasSize(1);
    }
    assertThat(names(platform, pattern)).isEmpty();
  }
}
