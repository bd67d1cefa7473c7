package dev.tether.core;

import static dev.tether.core.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.api.Outcome;
import dev.tether.api.ResponseHeader;
import dev.tether.api.SessionStatus;
import dev.tether.api.TetherConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class BalancerTest {
  private static final String SIX = Fixtures.hosts(9001, 9006);
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

  private static DefaultBalancer balancer(String... keyValues) {
    SplittableRandom random = new SplittableRandom(5);
    return new DefaultBalancer(config(keyValues), CLOCK, random::nextLong);
  }

  @Test
  void headerSessionPinsToTheNamedEndpoint() {
    Balancer balancer = balancer("endpoints", SIX, "sessionHeader", "x-session-header");
    Decision decision = balancer.route(TestRequest.get("/hello")
        .header("x-session-header", SessionCodec.encodeHeader("127.0.0.1:9004")));
    assertThat(decision.outcome()).isEqualTo(Outcome.SESSION);
    assertThat(decision.endpoint().port()).isEqualTo(9004);
    assertThat(balancer.responseHeaders(decision, decision.endpoint())).isEmpty();
  }

  @Test
  void firstRequestWithoutSessionGetsTheServedAddressWritten() {
    Balancer balancer = balancer("endpoints", SIX, "sessionHeader", "x-session-header");
    Decision decision = balancer.route(TestRequest.get("/hello"));
    assertThat(decision.session()).isEqualTo(SessionStatus.ABSENT);
    List<ResponseHeader> headers = balancer.responseHeaders(decision, decision.endpoint());
    assertThat(headers).containsExactly(new ResponseHeader("x-session-header",
        SessionCodec.encodeHeader(decision.endpoint().address()), true));
  }

  @Test
  void requestsWithoutSessionSpreadOverEndpoints() {
    Balancer balancer = balancer("endpoints", SIX, "sessionHeader", "x-session-header");
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      ports.add(balancer.route(TestRequest.get("/hello")).endpoint().port());
    }
    assertThat(ports.size()).isGreaterThan(3);
  }

  @Test
  void sessionNamingANonEndpointIsNeverRoutedThere() {
    Balancer balancer = balancer("endpoints", SIX, "sessionHeader", "x-session-header");
    for (String forged : List.of("127.0.0.1:22", "169.254.169.254:80", "localhost:9001",
        "127.0.0.1:9001 ", "127.0.0.01:9001")) {
      Decision decision = balancer.route(TestRequest.get("/")
          .header("x-session-header", SessionCodec.encodeHeader(forged)));
      assertThat(decision.session()).isEqualTo(SessionStatus.UNKNOWN_ENDPOINT);
      assertThat(decision.endpoint().address()).isNotEqualTo(forged).startsWith("127.0.0.1:900");
      // The response moves the client to a real endpoint.
      assertThat(balancer.responseHeaders(decision, decision.endpoint())).hasSize(1);
    }
  }

  @Test
  void strictSessionToAnUnknownEndpointIsRejected() {
    Balancer balancer = balancer("endpoints", SIX, "sessionHeader", "x-session-header",
        "sessionStrict", "true");
    Decision decision = balancer.route(TestRequest.get("/")
        .header("x-session-header", SessionCodec.encodeHeader("127.0.0.1:9999")));
    assertThat(decision.outcome()).isEqualTo(Outcome.STRICT_REJECTED);
    assertThat(decision.routed()).isFalse();
  }

  @Test
  void strictModeStillBalancesRequestsWithoutOrWithUnreadableSessions() {
    Balancer balancer = balancer("endpoints", SIX, "sessionHeader", "x-session-header",
        "sessionStrict", "true");
    assertThat(balancer.route(TestRequest.get("/")).routed()).isTrue();
    assertThat(balancer.route(TestRequest.get("/").header("x-session-header", "%%%")).routed()).isTrue();
  }

  @Test
  void drainingEndpointKeepsItsSessionsButTakesNoNewOnes() {
    String endpoints = "127.0.0.1:9001;health=DRAINING,127.0.0.1:9002,127.0.0.1:9003";
    Balancer balancer = balancer("endpoints", endpoints, "sessionHeader", "x-session-header");
    Decision pinned = balancer.route(TestRequest.get("/")
        .header("x-session-header", SessionCodec.encodeHeader("127.0.0.1:9001")));
    assertThat(pinned.endpoint().port()).isEqualTo(9001);
    for (int i = 0; i < 200; i++) {
      assertThat(balancer.route(TestRequest.get("/")).endpoint().port()).isNotEqualTo(9001);
    }
    Balancer envoyDefault = balancer("endpoints", endpoints, "sessionHeader", "x-session-header",
        "sessionOverrideHealth", "UNKNOWN,HEALTHY,DEGRADED");
    Decision moved = envoyDefault.route(TestRequest.get("/")
        .header("x-session-header", SessionCodec.encodeHeader("127.0.0.1:9001")));
    assertThat(moved.session()).isEqualTo(SessionStatus.UNAVAILABLE_ENDPOINT);
    assertThat(moved.endpoint().port()).isNotEqualTo(9001);
  }

  @Test
  void cookieSessionWritesEnvoyCookieWithTtlPathAndAttributes() {
    Balancer balancer = balancer("endpoints", SIX, "sessionCookie", "route:/shop",
        "sessionCookieTtl", "1h", "sessionCookieAttributes", "SameSite=Lax;Secure");
    Decision decision = balancer.route(TestRequest.get("/shop/cart"));
    List<ResponseHeader> headers = balancer.responseHeaders(decision, decision.endpoint());
    String value = SessionCodec.encodeCookie(decision.endpoint().address(), 1_700_003_600L);
    assertThat(headers).containsExactly(new ResponseHeader("Set-Cookie",
        "route=\"" + value + "\"; Max-Age=3600; Path=/shop; SameSite=Lax; Secure; HttpOnly", false));
    Decision again = balancer.route(TestRequest.get("/shop?x=1").header("Cookie", "route=\"" + value + "\""));
    assertThat(again.outcome()).isEqualTo(Outcome.SESSION);
    assertThat(again.endpoint()).isEqualTo(decision.endpoint());
  }

  @Test
  void cookieSessionIgnoresRequestsOutsideItsPath() {
    Balancer balancer = balancer("endpoints", SIX, "sessionCookie", "route:/shop");
    String value = SessionCodec.encodeCookie("127.0.0.1:9003", 0);
    Decision decision = balancer.route(TestRequest.get("/shopping").header("Cookie", "route=" + value));
    assertThat(decision.session()).isEqualTo(SessionStatus.NOT_APPLICABLE);
    assertThat(balancer.responseHeaders(decision, decision.endpoint())).isEmpty();
  }

  @Test
  void istioLabelCookieDefaultsToPathRootWithoutTtl() {
    Balancer balancer = balancer("endpoints", SIX, "sessionCookie", "session-cookie");
    Decision decision = balancer.route(TestRequest.get("/any"));
    assertThat(balancer.responseHeaders(decision, decision.endpoint()).get(0).value())
        .isEqualTo("session-cookie=\"" + SessionCodec.encodeCookie(decision.endpoint().address(), 0)
            + "\"; Path=/; HttpOnly");
  }

  @Test
  void cookieHashPolicyIsStickyAndSetsTheCookieOnce() {
    Balancer balancer = balancer("endpoints", SIX, "hashPolicy", "cookie:sticky-session-key;ttl=0s");
    Decision first = balancer.route(TestRequest.get("/"));
    List<ResponseHeader> headers = balancer.responseHeaders(first, first.endpoint());
    assertThat(headers).hasSize(1);
    String cookie = headers.get(0).value();
    String value = cookie.substring(cookie.indexOf('"') + 1, cookie.lastIndexOf('"'));
    for (int i = 0; i < 20; i++) {
      Decision next = balancer.route(TestRequest.get("/").from("10.9.9.9", 1000 + i)
          .header("Cookie", "sticky-session-key=" + value));
      assertThat(next.endpoint()).isEqualTo(first.endpoint());
      assertThat(balancer.responseHeaders(next, next.endpoint())).isEmpty();
    }
  }

  @Test
  void retryAvoidsHostsAlreadyTriedAndMovesTheSession() {
    Balancer balancer = balancer("endpoints", SIX, "sessionHeader", "s", "hashPolicy", "header:user");
    TestRequest request = TestRequest.get("/").header("user", "u1")
        .header("s", SessionCodec.encodeHeader("127.0.0.1:9002"));
    Decision pinned = balancer.route(request);
    assertThat(pinned.endpoint().port()).isEqualTo(9002);
    Decision retry = balancer.retry(request, pinned);
    assertThat(retry.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(retry.endpoint().port()).isNotEqualTo(9002);
    Decision second = balancer.retry(request, retry);
    assertThat(second.tried()).containsExactly("127.0.0.1:9002", retry.endpoint().address());
    assertThat(second.endpoint().address()).isNotIn(second.tried());
    assertThat(balancer.responseHeaders(second, second.endpoint()))
        .containsExactly(new ResponseHeader("s", SessionCodec.encodeHeader(second.endpoint().address()), true));
  }

  @Test
  void noHealthyEndpointAndPanicDisabledMeansNoHealthyUpstream() {
    Balancer balancer = balancer("endpoints", "127.0.0.1:9001;health=UNHEALTHY",
        "panicThreshold", "0");
    assertThat(balancer.route(TestRequest.get("/")).outcome()).isEqualTo(Outcome.NO_HEALTHY_UPSTREAM);
  }

  @Test
  void allUnhealthyPanicsAndUsesEveryEndpoint() {
    Balancer balancer = balancer("endpoints",
        "127.0.0.1:9001;health=UNHEALTHY,127.0.0.1:9002;health=UNHEALTHY");
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ports.add(balancer.route(TestRequest.get("/")).endpoint().port());
    }
    assertThat(ports).containsExactlyInAnyOrder(9001, 9002);
  }

  @Test
  void updatedEndpointsAreUsedByTheNextRequest() {
    DefaultBalancer balancer = balancer("endpoints", SIX, "sessionHeader", "s");
    String pinned = SessionCodec.encodeHeader("127.0.0.1:9003");
    assertThat(balancer.route(TestRequest.get("/").header("s", pinned)).endpoint().port()).isEqualTo(9003);
    List<Endpoint> without = new ArrayList<>(balancer.endpoints());
    without.removeIf(e -> e.port() == 9003);
    balancer.update(without);
    Decision moved = balancer.route(TestRequest.get("/").header("s", pinned));
    assertThat(moved.session()).isEqualTo(SessionStatus.UNKNOWN_ENDPOINT);
    assertThat(moved.endpoint().port()).isNotEqualTo(9003);
  }

  @Test
  void boundedLoadSendsKeysAwayFromAnOverloadedHost() {
    DefaultBalancer balancer = balancer("endpoints", SIX, "hashPolicy", "header:user",
        "hashBalanceFactor", "150");
    TestRequest request = TestRequest.get("/").header("user", "heavy");
    Endpoint home = balancer.route(request).endpoint();
    for (int i = 0; i < 10; i++) {
      balancer.requestStarted(home);
    }
    Endpoint elsewhere = balancer.route(request).endpoint();
    assertThat(elsewhere).isNotEqualTo(home);
    // The probe order is seeded by the hash: every replica chooses the same alternative.
    assertThat(balancer.route(request).endpoint()).isEqualTo(elsewhere);
    for (int i = 0; i < 10; i++) {
      balancer.requestFinished(home, 200);
    }
    assertThat(balancer.route(request).endpoint()).isEqualTo(home);
  }

  @Test
  void sessionHealthDefaultsFollowIstio() {
    TetherConfig config = config("endpoints", SIX, "sessionHeader", "s");
    assertThat(config.session().overrideHealth())
        .containsExactlyInAnyOrder(Health.UNKNOWN, Health.HEALTHY, Health.DEGRADED, Health.DRAINING);
  }

  @Test
  void retryWalksPastEnvoysFiveAttemptsWhenTheyAllHitTriedHosts() {
    // Find a hash whose first six ring positions all belong to one host: Envoy would retry that
    // host six times; Tether keeps walking to a host not tried yet.
    DefaultBalancer balancer = balancer("endpoints", Fixtures.hosts(9001, 9003), "hashPolicy", "header:user");
    ClusterSnapshot snapshot = balancer.snapshot();
    SplittableRandom random = new SplittableRandom(17);
    int found = 0;
    for (int i = 0; i < 200_000 && found < 5; i++) {
      long hash = random.nextLong();
      Endpoint first = snapshot.choose(hash, 0);
      boolean run = true;
      for (int a = 1; a <= DefaultBalancer.HOST_SELECTION_RETRY_ATTEMPTS && run; a++) {
        run = snapshot.choose(hash, a).equals(first);
      }
      if (!run) {
        continue;
      }
      found++;
      Decision first0 = new Decision(first, Outcome.HASH, SessionStatus.NOT_APPLICABLE, null, hash, 0,
          List.of(), null);
      Decision retry = balancer.retry(TestRequest.get("/"), first0);
      assertThat(retry.endpoint()).isNotEqualTo(first);
      assertThat(retry.attempt()).isGreaterThan(DefaultBalancer.HOST_SELECTION_RETRY_ATTEMPTS);
    }
    assertThat(found).as("hashes with six entries of one host in a row").isPositive();
  }
}
