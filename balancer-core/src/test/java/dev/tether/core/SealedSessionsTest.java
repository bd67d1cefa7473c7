package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.api.Decision;
import dev.tether.api.Outcome;
import dev.tether.api.ResponseHeader;
import dev.tether.api.SessionStatus;
import dev.tether.api.TetherConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed session values through the balancer: what is read, what is written, rotation. */
final class SealedSessionsTest {
  private static final String SIX = Fixtures.hosts(9001, 9006);
  private static final String HEADER = "x-session";
  private static final String COOKIE = "override-host";
  private static final Pattern SET_COOKIE =
      Pattern.compile(Pattern.quote(COOKIE) + "=\"([A-Za-z0-9_-]+)\"(.*)");

  @TempDir Path dir;
  private final KeyRing ringA = Rings.ring("A", 1);
  private final KeyRing ringBA = Rings.ring("B", 2, "A", 1);
  private final MovingClock clock = new MovingClock(1_767_225_600_000L);

  private void writeRing(String... lines) {
    Rings.write(dir.resolve("keys.txt"), lines);
  }

  private TetherConfig config(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return Tether.parseConfig(map, dir);
  }

  private DefaultBalancer balancer(String... keyValues) {
    SplittableRandom random = new SplittableRandom(3);
    TetherConfig config = config(keyValues);
    return new DefaultBalancer(config, config.endpoints(), clock, random::nextLong,
        NonceSource.seeded(11));
  }

  private static TestRequest withHeader(String value) {
    return TestRequest.get("/hello").header(HEADER, value);
  }

  private static TestRequest withCookie(String value) {
    return TestRequest.get("/hello").header("Cookie", "theme=dark; " + COOKIE + "=" + value);
  }

  private static String only(List<ResponseHeader> headers, String name) {
    assertThat(headers).as("response headers").hasSize(1);
    assertThat(headers.get(0).name()).isEqualTo(name);
    return headers.get(0).value();
  }

  private long now() {
    return clock.millis() / 1000;
  }

  @Test
  void sealedModeWritesSealedHeaderValuesAndHonoursThem() {
    writeRing(Rings.line("A", 1));
    DefaultBalancer balancer = balancer("endpoints", SIX, "sessionHeader", HEADER,
        "sessionSeal", "sealed", "sessionSealKeys", "keys.txt");

    Decision first = balancer.route(TestRequest.get("/hello"));
    String value = only(balancer.responseHeaders(first, first.endpoint()), HEADER);
    assertThat(value).isNotEqualTo(SessionCodec.encodeHeader(first.endpoint().address()))
        .matches("A[A-Za-z0-9_-]{61}");
    assertThat(SealedValue.open(ringA, value, now()).address())
        .isEqualTo(first.endpoint().address());

    for (int i = 0; i < 5; i++) {
      Decision pinned = balancer.route(withHeader(value));
      assertThat(pinned.outcome()).isEqualTo(Outcome.SESSION);
      assertThat(pinned.endpoint()).isEqualTo(first.endpoint());
      assertThat(pinned.renewSession()).isFalse();
      assertThat(balancer.responseHeaders(pinned, pinned.endpoint())).isEmpty();
    }
  }

  @Test
  void sealedModeTreatsEnvoysPlainValueAsNoSessionAndAnswersSealed() {
    writeRing(Rings.line("A", 1));
    DefaultBalancer balancer = balancer("endpoints", SIX, "sessionHeader", HEADER,
        "sessionSeal", "sealed", "sessionSealKeys", "keys.txt");
    for (int port = 9001; port <= 9006; port++) {
      Decision decision = balancer.route(withHeader(SessionCodec.encodeHeader("127.0.0.1:" + port)));
      assertThat(decision.session()).isEqualTo(SessionStatus.INVALID);
      assertThat(decision.outcome()).isIn(Outcome.HASH, Outcome.RANDOM);
      String written = only(balancer.responseHeaders(decision, decision.endpoint()), HEADER);
      assertThat(SealedValue.open(ringA, written, now()).address())
          .isEqualTo(decision.endpoint().address());
    }
    assertThat(balancer.stats().invalidSessionValues()).isEqualTo(6);
  }

  @Test
  void aValueSealedByAnotherRingOrNamingANonEndpointIsNeverRouted() {
    writeRing(Rings.line("A", 1));
    DefaultBalancer balancer = balancer("endpoints", SIX, "sessionHeader", HEADER,
        "sessionSeal", "sealed", "sessionSealKeys", "keys.txt");
    NonceSource nonces = NonceSource.seeded(1);
    String foreign = SealedValue.seal(Rings.ring("A", 666), "127.0.0.1:9003", 0, nonces);
    Decision forged = balancer.route(withHeader(foreign));
    assertThat(forged.session()).isEqualTo(SessionStatus.INVALID);
    assertThat(forged.sessionAddress()).isNull();

    String stranger = SealedValue.seal(ringA, "127.0.0.1:22", 0, nonces);
    Decision unknown = balancer.route(withHeader(stranger));
    assertThat(unknown.session()).isEqualTo(SessionStatus.UNKNOWN_ENDPOINT);
    assertThat(unknown.endpoint().port()).isBetween(9001, 9006);
    String written = only(balancer.responseHeaders(unknown, unknown.endpoint()), HEADER);
    assertThat(SealedValue.open(ringA, written, now()).address())
        .isEqualTo(unknown.endpoint().address());
  }

  @Test
  void migrateModeHonoursEnvoysHeaderValueAndAnswersItSealedForTheSameBackend() {
    writeRing(Rings.line("A", 1));
    DefaultBalancer balancer = balancer("endpoints", SIX, "sessionHeader", HEADER,
        "sessionSeal", "migrate", "sessionSealKeys", "keys.txt");

    Decision plain = balancer.route(withHeader(SessionCodec.encodeHeader("127.0.0.1:9004")));
    assertThat(plain.outcome()).isEqualTo(Outcome.SESSION);
    assertThat(plain.endpoint().port()).isEqualTo(9004);
    assertThat(plain.renewSession()).isTrue();
    String sealed = only(balancer.responseHeaders(plain, plain.endpoint()), HEADER);
    SessionValue opened = SealedValue.open(ringA, sealed, now());
    assertThat(opened.address()).isEqualTo("127.0.0.1:9004");

    Decision next = balancer.route(withHeader(sealed));
    assertThat(next.endpoint().port()).isEqualTo(9004);
    assertThat(balancer.responseHeaders(next, next.endpoint())).isEmpty();
    assertThat(balancer.sealing().plainValuesHonoured()).isEqualTo(1);
    assertThat(balancer.sealing().renewedValues()).isEqualTo(1);
    assertThat(balancer.stats().rePins()).isZero();
  }

  @Test
  void migrateModeHonoursEnvoysCookiesAndSetsTheSessionSealed() {
    writeRing(Rings.line("A", 1));
    DefaultBalancer balancer = balancer("endpoints", SIX, "sessionCookie", COOKIE,
        "sessionCookieTtl", "1h", "sessionSeal", "migrate", "sessionSealKeys", "keys.txt");
    for (String envoy : List.of(SessionCodec.encodeCookie("127.0.0.1:9002", now() + 60),
        SessionCodec.encodeCookie("127.0.0.1:9002", 0),
        "\"" + SessionCodec.encodeHeader("127.0.0.1:9002") + "\"")) {
      Decision decision = balancer.route(withCookie(envoy));
      assertThat(decision.outcome()).as(envoy).isEqualTo(Outcome.SESSION);
      assertThat(decision.endpoint().port()).isEqualTo(9002);
      Matcher cookie = SET_COOKIE.matcher(
          only(balancer.responseHeaders(decision, decision.endpoint()), "Set-Cookie"));
      assertThat(cookie.matches()).isTrue();
      assertThat(cookie.group(2)).isEqualTo("; Max-Age=3600; Path=/; HttpOnly");
      SessionValue opened = SealedValue.open(ringA, cookie.group(1), now());
      assertThat(opened.address()).isEqualTo("127.0.0.1:9002");
      assertThat(opened.expires()).as("the cookie's lifetime, sealed").isEqualTo(now() + 3600);
      Decision sealed = balancer.route(withCookie("\"" + cookie.group(1) + "\""));
      assertThat(sealed.endpoint().port()).isEqualTo(9002);
      assertThat(balancer.responseHeaders(sealed, sealed.endpoint())).isEmpty();
    }
    Decision expired = balancer.route(
        withCookie(SessionCodec.encodeCookie("127.0.0.1:9002", now() - 1)));
    assertThat(expired.session()).isEqualTo(SessionStatus.INVALID);
  }

  @Test
  void anExpiredSealedValueIsNoSessionAndOneOverHalfItsLifeIsRenewed() {
    writeRing(Rings.line("A", 1));
    DefaultBalancer balancer = balancer("endpoints", SIX, "sessionCookie", COOKIE,
        "sessionCookieTtl", "720h", "sessionSeal", "sealed", "sessionSealKeys", "keys.txt",
        "sessionSealTtl", "10m");
    Decision first = balancer.route(TestRequest.get("/"));
    Matcher cookie = SET_COOKIE.matcher(
        only(balancer.responseHeaders(first, first.endpoint()), "Set-Cookie"));
    assertThat(cookie.matches()).isTrue();
    assertThat(cookie.group(2)).startsWith("; Max-Age=2592000;");
    String value = cookie.group(1);
    assertThat(SealedValue.open(ringA, value, now()).expires()).isEqualTo(now() + 600);

    clock.advance(Duration.ofMinutes(4));
    Decision young = balancer.route(withCookie(value));
    assertThat(young.endpoint()).isEqualTo(first.endpoint());
    assertThat(young.renewSession()).isFalse();

    clock.advance(Duration.ofMinutes(2));
    Decision old = balancer.route(withCookie(value));
    assertThat(old.endpoint()).isEqualTo(first.endpoint());
    assertThat(old.renewSession()).as("4 of 10 minutes left").isTrue();
    Matcher renewed = SET_COOKIE.matcher(
        only(balancer.responseHeaders(old, old.endpoint()), "Set-Cookie"));
    assertThat(renewed.matches()).isTrue();
    assertThat(SealedValue.open(ringA, renewed.group(1), now()).expires()).isEqualTo(now() + 600);

    clock.advance(Duration.ofMinutes(4).plusSeconds(1));
    Decision expired = balancer.route(withCookie(value));
    assertThat(expired.session()).isEqualTo(SessionStatus.INVALID);
    assertThat(balancer.route(withCookie(renewed.group(1))).outcome()).isEqualTo(Outcome.SESSION);
  }

  @Test
  void aRetryKeepsTheRenewalOfTheSessionItRetries() {
    writeRing(Rings.line("B", 2), Rings.line("A", 1));
    DefaultBalancer balancer = balancer("endpoints", SIX, "sessionHeader", HEADER,
        "sessionSeal", "sealed", "sessionSealKeys", "keys.txt");
    String sealedByA = SealedValue.seal(ringA, "127.0.0.1:9001", 0, NonceSource.seeded(6));
    TestRequest request = withHeader(sealedByA);
    Decision pinned = balancer.route(request);
    assertThat(pinned.renewSession()).isTrue();
    Decision retried = balancer.retry(request, pinned);
    assertThat(retried.renewSession()).isTrue();
    assertThat(retried.endpoint().port()).isNotEqualTo(9001);
    String moved = only(balancer.responseHeaders(retried, retried.endpoint()), HEADER);
    SessionValue opened = SealedValue.open(ringBA, moved, now());
    assertThat(opened.address()).isEqualTo(retried.endpoint().address());
    assertThat(opened.keyId()).isEqualTo("B");
  }

  @Test
  void randomSessionValuesNeverThrowAndNeverPin() {
    writeRing(Rings.line("A", 1));
    List<DefaultBalancer> balancers = List.of(
        balancer("endpoints", SIX, "sessionHeader", HEADER, "sessionSeal", "sealed",
            "sessionSealKeys", "keys.txt"),
        balancer("endpoints", SIX, "sessionHeader", HEADER, "sessionSeal", "migrate",
            "sessionSealKeys", "keys.txt"),
        balancer("endpoints", SIX, "sessionCookie", COOKIE, "sessionSeal", "sealed",
            "sessionSealKeys", "keys.txt", "sessionSealTtl", "1h"),
        balancer("endpoints", SIX, "sessionCookie", COOKIE, "sessionSeal", "migrate",
            "sessionSealKeys", "keys.txt"));
    Random random = new Random(77);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(120)];
      random.nextBytes(bytes);
      if (bytes.length > 1) {
        bytes[0] = SealedValue.VERSION;
        bytes[1] = 1;
      }
      String value = random.nextBoolean()
          ? Base64Url.encode(bytes, 0, bytes.length)
          : new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
      DefaultBalancer balancer = balancers.get(i % 4);
      TestRequest request = i % 4 < 2 ? withHeader(value) : withCookie(value);
      Decision decision = balancer.route(request);
      assertThat(decision.outcome()).as(value).isNotEqualTo(Outcome.SESSION);
      assertThat(decision.endpoint().port()).isBetween(9001, 9006);
      assertThat(balancer.responseHeaders(decision, decision.endpoint())).hasSize(1);
    }
  }

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    private long millis;

    MovingClock(long millis) {
      this.millis = millis;
    }

    void advance(Duration duration) {
      millis += duration.toMillis();
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
