package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Outcome;
import dev.tether.api.ResponseHeader;
import dev.tether.api.SessionStatus;
import dev.tether.api.TetherConfig;
import dev.tether.core.config.EndpointSyntax;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Fuzz targets for session values: what a client sends back in a session cookie or header is the
 * least trusted input Tether reads, and the only one that chooses a backend directly.
 *
 * <p>Each input is plain bytes so that the seeds under {@code SessionValueFuzzTestInputs/} are
 * readable text. Without {@code JAZZER_FUZZ} the seeds run as regression tests; the {@code fuzz}
 * profile fuzzes each target (see the README, "Fuzzing").
 */
final class SessionValueFuzzTest {
  /** 2026-01-01T00:00:00Z, the "now" that expiry is judged against. */
  private static final long NOW = 1_767_225_600L;

  private static final Set<String> PLAIN_FORMATS = Set.of("proto", "legacy", "header");

  private static final KeyRing RING = Rings.ring("A", 1);
  /** A ring with a key of the same id and other bytes: what it sealed must not open in RING. */
  private static final KeyRing IMPOSTOR = Rings.ring("A", 2);
  private static final NonceSource NONCES = NonceSource.seeded(7);
  private static final Set<String> SEALED_REASONS = Set.of(SealedValue.NOT_SEALED,
      SealedValue.BAD_VERSION, SealedValue.TRUNCATED, SealedValue.UNKNOWN_KEY,
      SealedValue.FORGED, SealedValue.BAD_PLAINTEXT);

  private static final String COOKIE = "s";
  private static final String ENDPOINTS = "127.0.0.1:9001,127.0.0.1:9002,[2001:db8::1]:9003";
  private static final Set<String> LISTED =
      Set.of("127.0.0.1:9001", "127.0.0.1:9002", "[2001:db8::1]:9003");
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

  /**
   * The input, as Latin-1 text (what a container hands over as a header value), is read as a
   * cookie value and as a header value. Neither decoding throws; a value is either "no session"
   * with a reason, or an address that is written back exactly as it came (Base64 and UTF-8 are
   * read strictly, so a valid value has one spelling) or, for the protobuf format, that encodes
   * to a value decoding to the same address and expiry.
   */
  @FuzzTest
  void plainValuesDecodeOnlyToThemselves(byte[] data) {
    String value = new String(data, StandardCharsets.ISO_8859_1);

    SessionValue header = SessionCodec.decodeHeader(value);
    checkShape(header);
    if (header.isValid()) {
      assertThat(header.format()).isEqualTo("header");
      assertThat(SessionCodec.encodeHeader(header.address())).isEqualTo(value);
    }

    SessionValue cookie = SessionCodec.decodeCookie(value, NOW);
    checkShape(cookie);
    if (cookie.isValid()) {
      assertThat(cookie.format()).isIn(PLAIN_FORMATS);
      if (cookie.format().equals("legacy")) {
        assertThat(cookie.expires()).isZero();
        assertThat(SessionCodec.encodeHeader(cookie.address())).isEqualTo(value);
      } else {
        assertThat(cookie.format()).isEqualTo("proto");
        assertThat(cookie.expires() == 0 || Long.compareUnsigned(NOW, cookie.expires()) <= 0)
            .as("an expired value is no session").isTrue();
        SessionValue again = SessionCodec.decodeCookie(
            SessionCodec.encodeCookie(cookie.address(), cookie.expires()), NOW);
        assertThat(again).isEqualTo(cookie);
      }
    }
  }

  /**
   * The input is {@code address} or {@code address\nexpires} in UTF-8: whatever the address, its
   * cookie and header encodings decode to the same address (and expiry).
   */
  @FuzzTest
  void encodedAddressesDecodeToThemselves(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    String address = newline < 0 ? text : text.substring(0, newline);
    long expires = newline < 0 ? 0 : expires(text.substring(newline + 1));
    if (address.isEmpty()) {
      return;
    }
    SessionValue cookie = SessionCodec.decodeCookie(SessionCodec.encodeCookie(address, expires), 0);
    assertThat(cookie).isEqualTo(SessionValue.valid(address, expires, "proto"));
    SessionValue header = SessionCodec.decodeHeader(SessionCodec.encodeHeader(address));
    assertThat(header).isEqualTo(SessionValue.valid(address, 0, "header"));
  }

  /**
   * The input, as Latin-1 text, is opened as a sealed value: it is never a session (forging one
   * means breaking AES-GCM) and the reason is one of the documented ones. When the text is also
   * an endpoint, that endpoint's address is sealed: it opens to itself, with its expiry and key
   * id; with one character changed, or under another ring's key of the same id, it does not open.
   */
  @FuzzTest
  void sealedValuesOpenOnlyAsSealed(byte[] data) {
    String text = new String(data, StandardCharsets.ISO_8859_1);
    SessionValue opened = SealedValue.open(RING, text, NOW);
    assertThat(opened.isValid()).as("an arbitrary value opens").isFalse();
    assertThat(opened.invalidReason()).isIn(SEALED_REASONS);

    Endpoint endpoint;
    try {
      endpoint = EndpointSyntax.parse("fuzz", text);
    } catch (ConfigException notAnEndpoint) {
      return;
    }
    String address = endpoint.address();
    long expires = (NOW + (text.hashCode() & 0xFFFF)) * (text.length() % 2);
    String sealed = SealedValue.seal(RING, address, expires, NONCES);
    assertThat(sealed).as("every endpoint address can be sealed").isNotNull();
    assertThat(SealedValue.looksSealed(sealed)).isTrue();
    assertThat(SealedValue.open(RING, sealed, NOW))
        .isEqualTo(SessionValue.sealed(address, expires, "A"));

    int at = Math.floorMod(text.hashCode(), sealed.length());
    char[] changed = sealed.toCharArray();
    changed[at] = changed[at] == 'A' ? 'B' : 'A';
    SessionValue tampered = SealedValue.open(RING, new String(changed), NOW);
    assertThat(tampered.isValid()).as("changed at %d", at).isFalse();
    assertThat(tampered.invalidReason()).isIn(SEALED_REASONS);

    String impostor = SealedValue.seal(IMPOSTOR, address, expires, NONCES);
    assertThat(SealedValue.open(RING, impostor, NOW).invalidReason())
        .isEqualTo(SealedValue.FORGED);
  }

  /**
   * The input, as Latin-1 text, is a request's {@code Cookie} header, read by the balancer with
   * a cookie session over three endpoints. The request is always routed to one of them: to the
   * one its session value names when it names a listed one, otherwise by the balancer, with the
   * session status saying why; and a response that moves the session writes a value naming the
   * endpoint that served it.
   */
  @FuzzTest
  void aSessionRoutesOnlyToAListedEndpoint(byte[] data) {
    String cookieHeader = new String(data, StandardCharsets.ISO_8859_1);
    DefaultBalancer balancer = Balancers.BALANCER;
    Decision decision = balancer.route(TestRequest.get("/").header("Cookie", cookieHeader));

    assertThat(decision.endpoint()).as("routed").isNotNull();
    String served = decision.endpoint().address();
    assertThat(served).isIn(LISTED);

    String raw = RequestCookies.value(List.of(cookieHeader), COOKIE);
    SessionValue value = raw.isEmpty() ? null : SessionCodec.decodeCookie(raw, NOW);
    if (value == null) {
      assertThat(decision.session()).isEqualTo(SessionStatus.ABSENT);
    } else if (!value.isValid()) {
      assertThat(decision.session()).isEqualTo(SessionStatus.INVALID);
    } else if (LISTED.contains(value.address())) {
      assertThat(decision.outcome()).isEqualTo(Outcome.SESSION);
      assertThat(served).isEqualTo(value.address());
    } else {
      assertThat(decision.session()).isEqualTo(SessionStatus.UNKNOWN_ENDPOINT);
      assertThat(decision.outcome()).isNotEqualTo(Outcome.SESSION);
    }

    List<ResponseHeader> headers = balancer.responseHeaders(decision, decision.endpoint());
    boolean moved = value == null || !value.isValid() || !served.equals(value.address());
    if (!moved) {
      assertThat(headers).isEmpty();
      return;
    }
    assertThat(headers).hasSize(1);
    String setCookie = headers.get(0).value();
    String prefix = COOKIE + "=\"";
    assertThat(setCookie).startsWith(prefix);
    String written = setCookie.substring(prefix.length(), setCookie.indexOf('"', prefix.length()));
    assertThat(SessionCodec.decodeCookie(written, NOW).address()).isEqualTo(served);
  }

  /** The balancer, built once: a fuzz test instance is reused, its statics are shared anyway. */
  private static final class Balancers {
    static final DefaultBalancer BALANCER = build();

    private static DefaultBalancer build() {
      TetherConfig config = Fixtures.config("endpoints", ENDPOINTS, "sessionCookie", COOKIE);
      Set<String> addresses = new HashSet<>();
      for (Endpoint e : config.endpoints()) {
        addresses.add(e.address());
      }
      assertThat(addresses).isEqualTo(LISTED);
      SplittableRandom random = new SplittableRandom(5);
      return new DefaultBalancer(config, config.endpoints(), CLOCK, random::nextLong,
          NonceSource.seeded(3));
    }
  }

  private static void checkShape(SessionValue value) {
    if (value.isValid()) {
      assertThat(value.address()).isNotEmpty();
      assertThat(value.invalidReason()).isNull();
      assertThat(value.isSealed()).isFalse();
    } else {
      assertThat(value.invalidReason()).isNotBlank();
      assertThat(value.format()).isNull();
    }
  }

  private static long expires(String text) {
    try {
      return Long.parseUnsignedLong(text.trim());
    } catch (NumberFormatException e) {
      return text.hashCode();
    }
  }
}
