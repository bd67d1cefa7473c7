package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.it.harness.Backend;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.ProbeServer;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.Reply;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The affinity scenarios, written once and run on every container: a subclass per distribution
 * only names its {@link ContainerKind}. Each configuration starts its container once, on first
 * use, and every scenario that needs it reuses it ({@link ContainerScenarios}). The
 * configurations: header sessions, cookie sessions (TTL 1h), and the walkthrough's cookie
 * consistent hash from a DestinationRule by ring hash and by Maglev, all over the three shared
 * demo backends ({@code b1..b3}); the failure scenarios start their own container over the shared
 * backends plus one more, the one they kill.
 *
 * <p>Every request goes through the real container process; what a backend saw is read from its
 * {@code x-backend-instance} response header and, for forwarding, from its {@code /headers} echo.
 */
abstract class AffinityScenarios extends ContainerScenarios {

  /** Requests that must all reach one backend, as in Istio's walkthrough. */
  static final int PINNED_REQUESTS = 20;
  /**
   * Requests that must not all reach one backend. With three backends chosen at random or by
   * distinct hashes, all 30 on one backend has probability 3^-29 (about 1.5e-14).
   */
  static final int SPREAD_REQUESTS = 30;
  /** The session cookie's Max-Age in the cookie-session configuration. */
  static final long COOKIE_TTL_SECONDS = 3600;
  /** {@code override-host="<value>"; Max-Age=3600; Path=/; HttpOnly}, as Envoy writes it. */
  static final Pattern SESSION_SET_COOKIE = Pattern.compile(Pattern.quote(SessionCookie.NAME)
      + "=\"([A-Za-z0-9+/]+=*)\"; Max-Age=" + COOKIE_TTL_SECONDS + "; Path=/; HttpOnly");

  AffinityScenarios(ContainerKind kind) {
    super(kind);
  }

  /**
   * Istio's {@code persistent-session} cookie, here with a lifetime so that the value carries an
   * expiry as well as the address.
   */
  private ProxyContainer cookieSessions() {
    return container("cookie-session", Map.of(
        "endpoints", backends.endpoints(),
        "sessionCookie", SessionCookie.NAME,
        "sessionCookieTtl", COOKIE_TTL_SECONDS + "s"), Map.of());
  }

  /**
   * The walkthrough's cookie consistent hash, read from a DestinationRule file in the container's
   * base directory named by a relative path, as the README shows it.
   */
  private ProxyContainer cookieHash(HashAlgorithm algorithm) {
    String file = "etc/helloworld-" + algorithm.name().toLowerCase() + ".yaml";
    return container("cookie-hash-" + algorithm, Map.of(
        "endpoints", backends.endpoints(),
        "destinationRule", file), Map.of(file, algorithm.destinationRule()));
  }

  private Reply get(ProxyContainer proxy, String... headers) {
    return client.get(proxy.baseUri(), "/hello", headers);
  }

  private Set<String> sharedNames() {
    return backends.addressByName().keySet();
  }

  /**
   * Asserts that the proxy treated the request as carrying no session: a shared backend answered,
   * and the response names it in a fresh session header.
   */
  private void assertAnsweredWithoutSession(Reply reply, String what) {
    assertThat(reply.status()).as("%s: status (%s)", what, reply).isEqualTo(200);
    assertThat(reply.instance()).as("%s: answering backend", what).isIn(sharedNames());
    assertThat(reply.header(SessionHeader.NAME))
        .as("%s: a new session header naming the backend that answered", what)
        .contains(SessionHeader.of(backends.addressByName().get(reply.instance())));
  }

  /**
   * The session a cookie-session response sets: its {@code Set-Cookie} has Envoy's form, and the
   * value names the backend that answered and expires one TTL from now.
   */
  private SessionCookie.State assertSetsSessionCookieForAnsweringBackend(Reply reply, String what) {
    assertThat(reply.status()).as("%s: status (%s)", what, reply).isEqualTo(200);
    assertThat(reply.instance()).as("%s: answering backend", what).isIn(sharedNames());
    List<String> setCookies = reply.setCookies(SessionCookie.NAME);
    assertThat(setCookies).as("%s: a new session cookie", what).hasSize(1);
    Matcher matcher = SESSION_SET_COOKIE.matcher(setCookies.get(0));
    assertThat(matcher.matches()).as("%s: %s matches %s", what, setCookies.get(0), SESSION_SET_COOKIE)
        .isTrue();
    SessionCookie.State state = SessionCookie.decode(matcher.group(1));
    long now = System.currentTimeMillis() / 1000;
    assertThat(state.address()).as("%s: address in the cookie", what)
        .isEqualTo(backends.addressByName().get(reply.instance()));
    assertThat(state.expires()).as("%s: expiry in the cookie", what)
        .isBetween(now + COOKIE_TTL_SECONDS - 120, now + COOKIE_TTL_SECONDS + 120);
    return state;
  }

  /** Istio's stateful-session walkthrough with {@code x-session-header}. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class HeaderSession {

    @Test
    void firstResponseNamesTheAnsweringBackendInBase64() {
      Reply first = get(headerSessions());

      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body()).startsWith("Hello version: v1, instance: " + first.instance());
      assertThat(first.header(SessionHeader.NAME)).as("session header on the first response")
          .isPresent();
      assertThat(SessionHeader.decode(first.header(SessionHeader.NAME).orElseThrow()))
          .isEqualTo(backends.addressByName().get(first.instance()));
    }

    @Test
    void requestsCarryingTheSessionHeaderAllReachItsBackend() {
      ProxyContainer proxy = headerSessions();
      Reply first = get(proxy);
      String session = first.header(SessionHeader.NAME).orElseThrow();

      for (int i = 0; i < PINNED_REQUESTS; i++) {
        Reply reply = get(proxy, SessionHeader.NAME, session);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.instance()).as("request %d with the session header", i)
            .isEqualTo(first.instance());
        assertThat(reply.header(SessionHeader.NAME))
            .as("no new session value while the session holds").isEmpty();
      }
    }

    @Test
    void everyEndpointCanBeNamedBySessionValueBuiltFromItsAddress() {
      ProxyContainer proxy = headerSessions();
      for (Backend backend : backends.all()) {
        Reply reply = get(proxy, SessionHeader.NAME, SessionHeader.of(backend.address()));
        assertThat(reply.instance()).isEqualTo(backend.name());
        assertThat(reply.header(SessionHeader.NAME)).isEmpty();
      }
    }

    @Test
    void requestsWithoutTheSessionHeaderSpreadOverSeveralBackends() {
      ProxyContainer proxy = headerSessions();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < SPREAD_REQUESTS; i++) {
        Reply reply = get(proxy);
        assertThat(reply.status()).isEqualTo(200);
        seen.add(reply.instance());
      }
      assertThat(seen).hasSizeGreaterThan(1).isSubsetOf(sharedNames());
    }
  }

  /** The walkthrough's DestinationRule: a cookie consistent hash, by ring hash and by Maglev. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class CookieConsistentHash {

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void firstResponseSetsTheStickyCookieAsASessionCookie(HashAlgorithm algorithm) {
      Reply first = get(cookieHash(algorithm));

      assertThat(first.status()).isEqualTo(200);
      assertThat(first.setCookies(HashAlgorithm.COOKIE))
          .as("ttl 0s: a quoted 16-hex-digit value, no Max-Age, HttpOnly")
          .singleElement().asString()
          .matches(HashAlgorithm.COOKIE + "=\"[0-9a-f]{16}\"; HttpOnly");
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void requestsCarryingTheCookieAllReachTheBackendThatSetIt(HashAlgorithm algorithm) {
      ProxyContainer proxy = cookieHash(algorithm);
      Reply first = get(proxy);
      String setCookie = first.setCookies(HashAlgorithm.COOKIE).get(0);
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));

      for (int i = 0; i < PINNED_REQUESTS; i++) {
        Reply reply = get(proxy, "Cookie", cookie);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.instance()).as("request %d with %s", i, cookie)
            .isEqualTo(first.instance());
        assertThat(reply.setCookies(HashAlgorithm.COOKIE)).as("no new cookie").isEmpty();
      }
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void differentCookieValuesSpreadOverSeveralBackends(HashAlgorithm algorithm) {
      ProxyContainer proxy = cookieHash(algorithm);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < SPREAD_REQUESTS; i++) {
        Reply reply = get(proxy, "Cookie", HashAlgorithm.COOKIE + "=user-" + i);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.setCookies(HashAlgorithm.COOKIE)).isEmpty();
        seen.add(reply.instance());
      }
      assertThat(seen).hasSizeGreaterThan(1).isSubsetOf(sharedNames());
    }
  }

  /**
   * The pinned backend dies. Each scenario starts its own container, with the shared backends
   * plus one more that it kills; the session is pinned to that one by its own address.
   *
   * <p>The shared backends weigh 10 and the doomed one 1. Without health checks the dead endpoint
   * stays in the ring, and Envoy's retry (like Tether's) walks the ring from the same position on
   * every retry: with four equal endpoints about 2% of the hashes that land on the dead one also
   * find it on all six host-selection attempts, and such a request fails with 503 exactly as it
   * would behind Envoy. At 10:1 the dead endpoint holds about 3% of the ring and a run of six of
   * its entries is practically impossible, so the scenarios are deterministic in practice.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class PinnedBackendStops {

    private Map<String, String> keysWith(Backend doomed, boolean strict) {
      Map<String, String> keys = new LinkedHashMap<>();
      keys.put("endpoints", backends.all().stream()
          .map(backend -> backend.address() + ";weight=10")
          .collect(Collectors.joining(",", "", "," + doomed.address())));
      keys.put("sessionHeader", SessionHeader.NAME);
      if (strict) {
        keys.put("sessionStrict", "true");
      }
      return keys;
    }

    @Test
    void nonStrictSessionMovesToALiveBackendAndRewritesTheHeader() {
      try (Backend doomed = Backend.start("doomed");
          ProxyContainer proxy = kind.create()) {
        proxy.start(keysWith(doomed, false));
        String session = SessionHeader.of(doomed.address());
        assertThat(get(proxy, SessionHeader.NAME, session).instance()).isEqualTo(doomed.name());

        doomed.kill();
        Reply moved = get(proxy, SessionHeader.NAME, session);

        assertAnsweredWithoutSession(moved,
            "session naming the stopped backend (log " + proxy.log() + ")");
        String newSession = moved.header(SessionHeader.NAME).orElseThrow();
        for (int i = 0; i < PINNED_REQUESTS; i++) {
          Reply reply = get(proxy, SessionHeader.NAME, newSession);
          assertThat(reply.status()).isEqualTo(200);
          assertThat(reply.instance()).as("request %d on the moved session", i)
              .isEqualTo(moved.instance());
        }
      }
    }

    @Test
    void strictSessionAnswers503WhileOtherRequestsStillSucceed() {
      try (Backend doomed = Backend.start("doomed-strict");
          ProxyContainer proxy = kind.create()) {
        proxy.start(keysWith(doomed, true));
        String session = SessionHeader.of(doomed.address());
        assertThat(get(proxy, SessionHeader.NAME, session).instance()).isEqualTo(doomed.name());

        doomed.kill();

        for (int i = 0; i < 3; i++) {
          Reply rejected = get(proxy, SessionHeader.NAME, session);
          assertThat(rejected.status())
              .as("strict session on a stopped backend (%s; log %s)", rejected, proxy.log())
              .isEqualTo(503);
          assertThat(rejected.instance()).isNull();
        }
        for (int i = 0; i < 10; i++) {
          Reply other = get(proxy);
          assertThat(other.status())
              .as("request %d without a session (%s; log %s)", i, other, proxy.log())
              .isEqualTo(200);
          assertThat(other.instance()).isIn(sharedNames());
        }
      }
    }
  }

  /**
   * Session values a client may send by mistake or by malice. Each means "no session": a shared
   * backend answers, the response names it in a new session value, the proxy never answers 5xx
   * and never connects anywhere but to an endpoint.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class UntrustedSessionValues {

    private static String base64(String text) {
      return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    Stream<Arguments> malformedValues() {
      String b1Port = Integer.toString(backends.byName("b1").port());
      return Stream.of(
          Arguments.of("not Base64", "not base64!"),
          Arguments.of("Base64 of a length not a multiple of 4", "MTI3LjAuMC4xOjgwO"),
          Arguments.of("padding only", "===="),
          Arguments.of("binary garbage", Base64.getEncoder().encodeToString(
              new byte[] {0, (byte) 0xff, (byte) 0xfe, 0x0a, 0x0d, 0x7f})),
          Arguments.of("an IP without port", base64("127.0.0.1")),
          Arguments.of("an IP and empty port", base64("127.0.0.1:")),
          Arguments.of("a port out of range", base64("127.0.0.1:99999")),
          Arguments.of("a port alone", base64(":" + b1Port)),
          Arguments.of("a URL", base64("http://127.0.0.1:" + b1Port + "/")),
          Arguments.of("an unbalanced IPv6 bracket", base64("[::1:" + b1Port)),
          Arguments.of("an address and a path", base64("127.0.0.1:" + b1Port + "/hello")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedValues")
    void malformedValueMeansNoSession(String description, String value) {
      assertAnsweredWithoutSession(
          get(headerSessions(), SessionHeader.NAME, value), description + ": " + value);
    }

    @Test
    void emptyValueMeansNoSession() {
      assertAnsweredWithoutSession(get(headerSessions(), SessionHeader.NAME, ""), "empty value");
    }

    @Test
    void oversizedValueWithinTheContainersHeaderLimitMeansNoSession() {
      byte[] noise = new byte[3000];
      new Random(42).nextBytes(noise);
      String value = Base64.getEncoder().encodeToString(noise);

      assertAnsweredWithoutSession(
          get(headerSessions(), SessionHeader.NAME, value), value.length() + "-char value");
    }

    @Test
    void valueBeyondTheContainersHeaderLimitIsRefusedWithoutAServerError() {
      String value = base64("127.0.0.1:1".repeat(1000));

      Reply reply = get(headerSessions(), SessionHeader.NAME, value);

      assertThat(reply.status()).as("%d-char value: %s", value.length(), reply)
          .isLessThan(500);
    }

    @Test
    void forgedValueNamingANonEndpointIsNeverConnectedTo() {
      try (ProbeServer probe = ProbeServer.start()) {
        String forged = SessionHeader.of(probe.address());
        for (int i = 0; i < 5; i++) {
          assertAnsweredWithoutSession(get(headerSessions(), SessionHeader.NAME, forged),
              "forged session naming " + probe.address());
        }
        assertThat(probe.connections()).as("connections to %s", probe.address()).isZero();
      }
    }

    @Test
    void forgedValueNamingAnEndpointsHostWithAnotherPortIsNeverConnectedTo() {
      try (ProbeServer probe = ProbeServer.start()) {
        String b1Host = backends.byName("b1").address().split(":")[0];
        String forged = SessionHeader.of(b1Host + ":" + probe.address().split(":")[1]);
        assertAnsweredWithoutSession(get(headerSessions(), SessionHeader.NAME, forged),
            "forged session naming the probe");
        assertThat(probe.connections()).isZero();
      }
    }

    @Test
    void cookieValueNamingANonEndpointOnlyHashes() {
      try (ProbeServer probe = ProbeServer.start()) {
        for (HashAlgorithm algorithm : HashAlgorithm.values()) {
          Reply reply = get(cookieHash(algorithm), "Cookie",
              HashAlgorithm.COOKIE + "=" + SessionHeader.of(probe.address()));
          assertThat(reply.status()).isEqualTo(200);
          assertThat(reply.instance()).isIn(sharedNames());
        }
        assertThat(probe.connections()).isZero();
      }
    }
  }

  /** Istio's {@code persistent-session} label: the session travels in an Envoy session cookie. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class CookieSession {

    @Test
    void firstResponseSetsASessionCookieNamingTheAnsweringBackend() {
      assertSetsSessionCookieForAnsweringBackend(get(cookieSessions()), "first response");
    }

    @Test
    void requestsCarryingTheSessionCookieAllReachItsBackend() {
      ProxyContainer proxy = cookieSessions();
      Reply first = get(proxy);
      String setCookie = first.setCookies(SessionCookie.NAME).get(0);
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));

      for (int i = 0; i < PINNED_REQUESTS; i++) {
        Reply reply = get(proxy, "Cookie", "theme=dark; " + cookie);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.instance()).as("request %d with %s", i, cookie)
            .isEqualTo(first.instance());
        assertThat(reply.setCookies(SessionCookie.NAME)).as("no new session cookie").isEmpty();
      }
    }

    @Test
    void legacyValueNamingAnEndpointPinsToIt() {
      Backend b2 = backends.byName("b2");
      String legacy = SessionHeader.of(b2.address());

      Reply reply = get(cookieSessions(), "Cookie", SessionCookie.NAME + "=" + legacy);

      assertThat(reply.instance()).isEqualTo(b2.name());
    }

    Stream<Arguments> untrustedValues() {
      String b1 = backends.byName("b1").address();
      return Stream.of(
          Arguments.of("expired", SessionCookie.of(b1, 1)),
          Arguments.of("empty address", SessionCookie.of("", 0)),
          Arguments.of("not Base64", "%%%"),
          Arguments.of("Base64 without padding", SessionCookie.of(b1, 0).replace("=", "")),
          Arguments.of("truncated protobuf", Base64.getEncoder().encodeToString(
              new byte[] {0x0a, 0x40, '1', '2', '7'})),
          Arguments.of("oversized", SessionCookie.of("127.0.0.1:" + "9".repeat(3000), 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("untrustedValues")
    void untrustedValueMeansNoSession(String description, String value) {
      Reply reply = get(cookieSessions(), "Cookie", SessionCookie.NAME + "=\"" + value + "\"");
      assertSetsSessionCookieForAnsweringBackend(reply, description + ": " + value);
    }

    @Test
    void forgedValuesNamingANonEndpointAreNeverConnectedTo() {
      try (ProbeServer probe = ProbeServer.start()) {
        long inAnHour = System.currentTimeMillis() / 1000 + 3600;
        for (String forged : List.of(SessionCookie.of(probe.address(), 0),
            SessionCookie.of(probe.address(), inAnHour), SessionHeader.of(probe.address()))) {
          Reply reply = get(cookieSessions(), "Cookie", SessionCookie.NAME + "=" + forged);
          assertSetsSessionCookieForAnsweringBackend(reply, "forged " + forged);
        }
        assertThat(probe.connections()).as("connections to %s", probe.address()).isZero();
      }
    }
  }

  /** The proxy's forwarding contract, checked once per container on the header configuration. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class Forwarding {

    @ParameterizedTest
    @ValueSource(ints = {201, 404, 500, 503})
    void backendStatusReachesTheClient(int status) {
      Reply reply = client.get(headerSessions().baseUri(), "/status/" + status);

      assertThat(reply.status()).isEqualTo(status);
      assertThat(reply.instance()).as("answered by a backend, not the proxy").isIn(sharedNames());
    }

    @Test
    void backendSeesTheClientInForwardedHeaders() {
      ProxyContainer proxy = headerSessions();
      Reply reply = client.get(proxy.baseUri(), "/headers", "X-Forwarded-For", "203.0.113.7");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(jsonField(reply.body(), "X-Forwarded-For"))
          .as("client's X-Forwarded-For, then the client's address")
          .matches("203\\.0\\.113\\.7\\s*,\\s*127\\.0\\.0\\.1");
      assertThat(jsonField(reply.body(), "X-Forwarded-Proto")).isEqualTo("http");
      // Host passes as the client sent it, as behind Envoy; X-Forwarded-Host repeats it.
      assertThat(jsonField(reply.body(), "Host"))
          .isEqualTo("127.0.0.1:" + proxy.baseUri().getPort());
      assertThat(jsonField(reply.body(), "X-Forwarded-Host"))
          .isEqualTo("127.0.0.1:" + proxy.baseUri().getPort());
    }

    @Test
    void largeRequestBodyComesBackIntact() {
      byte[] body = new byte[4 << 20];
      new Random(7).nextBytes(body);

      HttpResponse<byte[]> echoed = client.post(headerSessions().baseUri(), "/anything", body);

      assertThat(echoed.statusCode()).isEqualTo(200);
      assertThat(echoed.body()).as("4 MiB echoed by the backend").isEqualTo(body);
    }
  }

  /** Sealed session values, on this container: {@link SealedSessionScenarios}. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class SealedSessions extends SealedSessionScenarios {
    SealedSessions() {
      super(kind, () -> backends);
    }
  }

  /** A configuration error stops the container at startup, naming the key, as documented. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class Misconfiguration {

    @Test
    void badValueStopsTheContainerWithTheKeyInItsLog() {
      try (ProxyContainer proxy = kind.create()) {
        assertThatThrownBy(() -> proxy.start(Map.of(
            "endpoints", backends.endpoints(),
            "sessionHeader", SessionHeader.NAME,
            "sessionStrict", "maybe")))
            .hasMessageContaining("sessionStrict: maybe (expected:");
      }
    }

    /**
     * A misspelled key stops the container naming the key that was meant: Jetty sees every
     * {@code tether.*} property start.jar passes (etc/tether-check.xml), the valve every
     * attribute of its element.
     */
    @Test
    void aMisspelledKeyStopsTheContainerNamingTheKeyItMeant() {
      String expected = switch (kind) {
        case JETTY_12_1, JETTY_12_0 ->
            "tether.requestTimout: 2s (expected: a Tether key; did you mean requestTimeout?)";
        case TOMCAT_11, TOMCAT_10_1 -> "requestTimout: 2s (expected: one of the attributes ";
      };
      try (ProxyContainer proxy = kind.create()) {
        assertThatThrownBy(() -> proxy.start(Map.of(
            "endpoints", backends.endpoints(),
            "sessionHeader", SessionHeader.NAME,
            "requestTimout", "2s")))
            .hasMessageContaining(expected)
            .hasMessageContaining("did you mean requestTimeout?");
      }
    }
  }
}
