package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.api.Decision;
import dev.tether.api.EndpointSource;
import dev.tether.api.Outcome;
import dev.tether.api.SessionStatus;
import dev.tether.core.Fixtures;
import dev.tether.core.Inspection;
import dev.tether.core.Routing;
import dev.tether.core.TestRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class DnsDiscoveryTest {
  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void everyAddressOfTheNameIsAnEndpointOnTheGivenPort() {
    cluster.dns.put("helloworld", List.of("10.0.0.3", "10.0.0.1", "2001:DB8:0:0:0:0:0:1"));
    cluster.start("endpoints", "dns:helloworld:8080", "hashPolicy", "header:user");
    assertThat(cluster.addresses())
        .containsExactly("10.0.0.1:8080", "10.0.0.3:8080", "[2001:db8::1]:8080");
    assertThat(cluster.balancer.config().endpointSource())
        .isEqualTo(EndpointSource.dns("helloworld", 8080, Duration.ofSeconds(5)));
  }

  @Test
  void theNameIsResolvedAgainEveryRefreshRateAndChangesAreUsed() {
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2"));
    cluster.start("endpoints", "dns:web:80", "dnsRefreshRate", "2s", "hashPolicy", "header:user");
    assertThat(cluster.resolutions).hasValue(1);
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    cluster.advance(Duration.ofMillis(1999));
    assertThat(cluster.addresses()).hasSize(2);
    cluster.advance(Duration.ofMillis(1));
    assertThat(cluster.resolutions).hasValue(2);
    assertThat(cluster.addresses()).containsExactly("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
    assertThat(cluster.spread(300)).contains("10.0.0.3:80");
    cluster.dns.put("web", List.of("10.0.0.3"));
    cluster.advance(Duration.ofSeconds(2));
    assertThat(cluster.spread(50)).containsOnly("10.0.0.3:80");
  }

  @Test
  void routingNeverResolvesOrRebuildsOnTheRequestPath() {
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2"));
    cluster.start("endpoints", "dns:web:80", "hashPolicy", "header:user");
    Routing before = cluster.routing();
    cluster.dns.put("web", List.of("10.0.0.9"));
    cluster.spread(100);
    assertThat(cluster.resolutions).hasValue(1);
    assertThat(cluster.routing()).isSameAs(before);
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.routing()).isNotSameAs(before);
  }

  @Test
  void anUnchangedAnswerKeepsTheSameSnapshot() {
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2"));
    cluster.start("endpoints", "dns:web:80");
    Routing before = cluster.routing();
    cluster.dns.put("web", List.of("10.0.0.2", "10.0.0.1"));
    cluster.advance(Duration.ofSeconds(15));
    assertThat(cluster.resolutions).hasValue(4);
    assertThat(cluster.routing()).isSameAs(before);
  }

  @Test
  void replicasGivenTheSameAddressesInAnyOrderListAndChooseAlike() {
    try (TestCluster other = new TestCluster()) {
      cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"));
      other.dns.put("web", List.of("10.0.0.4", "10.0.0.2", "10.0.0.5", "10.0.0.1", "10.0.0.3"));
      cluster.start("endpoints", "dns:web:80", "minimumRingSize", "7");
      other.start("endpoints", "dns:web:80", "minimumRingSize", "7");
      assertThat(cluster.addresses()).isEqualTo(other.addresses());
      Inspection.RingEntries a = Inspection.ringEntries(
          cluster.routing().tableOf(cluster.endpoint("10.0.0.1:80")));
      Inspection.RingEntries b = Inspection.ringEntries(
          other.routing().tableOf(other.endpoint("10.0.0.1:80")));
      assertThat(a.hashes().length).isEqualTo(b.hashes().length);
      for (int i = 0; i < a.hashes().length; i++) {
        assertThat(a.hashes()[i]).isEqualTo(b.hashes()[i]);
      }
      assertThat(cluster.spread(500)).isEqualTo(other.spread(500));
    }
  }

  @Test
  void anUnresolvableNameAtStartAnswersNoHealthyUpstreamUntilItResolves() {
    cluster.start("endpoints", "dns:not-yet:80");
    assertThat(cluster.balancer.endpoints()).isEmpty();
    Decision decision = cluster.balancer.route(TestRequest.get("/"));
    assertThat(decision.outcome()).isEqualTo(Outcome.NO_HEALTHY_UPSTREAM);
    assertThat(decision.routed()).isFalse();
    assertThat(cluster.core().stats().noHealthyUpstream()).isEqualTo(1);
    cluster.dns.put("not-yet", List.of("10.0.0.7"));
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.balancer.route(TestRequest.get("/")).endpoint().address())
        .isEqualTo("10.0.0.7:80");
  }

  @Test
  void aFailedResolutionKeepsTheLastGoodSet() {
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2"));
    cluster.start("endpoints", "dns:web:80");
    cluster.dns.remove("web");
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.addresses()).containsExactly("10.0.0.1:80", "10.0.0.2:80");
    assertThat(cluster.balancer.route(TestRequest.get("/")).routed()).isTrue();
    assertThat(runtimeError()).startsWith("cannot resolve web (")
        .endsWith("keeping the last 2 endpoints");
    cluster.dns.put("web", List.of("10.0.0.2"));
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.addresses()).containsExactly("10.0.0.2:80");
    assertThat(runtimeError()).isEmpty();
  }

  @Test
  void anEmptyAnswerEmptiesTheSetAndAnswersNoHealthyUpstream() {
    cluster.dns.put("web", List.of("10.0.0.1"));
    cluster.start("endpoints", "dns:web:80");
    cluster.dns.put("web", List.of());
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.balancer.endpoints()).isEmpty();
    assertThat(cluster.balancer.route(TestRequest.get("/")).outcome())
        .isEqualTo(Outcome.NO_HEALTHY_UPSTREAM);
  }

  @Test
  void sessionsStayWhileTheirAddressIsAnsweredAndMoveWhenItIsGone() {
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    cluster.start("endpoints", "dns:web:8080", "sessionHeader", "x-session");
    String pinned = Inspection.encodeHeaderSession("10.0.0.2:8080");
    cluster.dns.put("web", List.of("10.0.0.2", "10.0.0.3", "10.0.0.4"));
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.balancer.route(TestRequest.get("/").header("x-session", pinned))
        .outcome()).isEqualTo(Outcome.SESSION);
    cluster.dns.put("web", List.of("10.0.0.3", "10.0.0.4"));
    cluster.advance(Duration.ofSeconds(5));
    Decision moved = cluster.balancer.route(TestRequest.get("/").header("x-session", pinned));
    assertThat(moved.session()).isEqualTo(SessionStatus.UNKNOWN_ENDPOINT);
    assertThat(moved.endpoint().address()).isIn("10.0.0.3:8080", "10.0.0.4:8080");
  }

  @Test
  void closingStopsResolving() {
    cluster.dns.put("web", List.of("10.0.0.1"));
    cluster.start("endpoints", "dns:web:80");
    cluster.balancer.close();
    cluster.advance(Duration.ofMinutes(1));
    assertThat(cluster.resolutions).hasValue(1);
    assertThat(cluster.scheduler.isShutdown()).isTrue();
    assertThat(cluster.balancer.route(TestRequest.get("/")).routed()).isTrue();
  }

  @Test
  void badDnsSourcesAreConfigurationErrors() {
    assertThatThrownBy(() -> Fixtures.config("endpoints", "dns:web"))
        .hasMessage("endpoints: dns:web (expected: dns:NAME:PORT, e.g. dns:helloworld:8080)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "dns:web:0"))
        .hasMessage("endpoints: dns:web:0 (expected: dns:NAME:PORT, e.g. dns:helloworld:8080,"
            + " PORT from 1 to 65535)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "dns:we b:80"))
        .hasMessageStartingWith("endpoints: dns:we b:80 (expected: dns:NAME:PORT");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "dns:web:80", "dnsRefreshRate", "0s"))
        .hasMessage("dnsRefreshRate: 0s (expected: a duration above zero, such as 500ms or 5s)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", "10.0.0.1:80", "dnsRefreshRate", "1s"))
        .hasMessage("dnsRefreshRate: 1s (expected: unset unless endpoints is dns:NAME:PORT)");
  }

  @Test
  void theJvmDnsCacheWarningNamesTheSetting() {
    assertThat(JvmDnsCache.warning(Duration.ofSeconds(30), Duration.ofSeconds(5)))
        .isEqualTo("the JVM caches DNS answers for 30s, longer than dnsRefreshRate 5000ms, so new"
            + " or removed addresses show up late; start the JVM with -Dsun.net.inetaddr.ttl=5"
            + " (or set networkaddress.cache.ttl in java.security)");
    assertThat(JvmDnsCache.warning(null, Duration.ofSeconds(5))).contains("caches DNS answers for ever");
    assertThat(JvmDnsCache.warning(Duration.ofSeconds(5), Duration.ofSeconds(5))).isNull();
    assertThat(JvmDnsCache.warning(Duration.ZERO, Duration.ofMillis(100))).isNull();
  }

  private String runtimeError() {
    return cluster.mbeanAttribute("LastDiscoveryError");
  }
}
