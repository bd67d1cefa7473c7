package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class SessionCodecTest {

  @Test
  void cookieRoundTripsWithAndWithoutExpiry() {
    SessionValue plain = SessionCodec.decodeCookie(SessionCodec.encodeCookie("10.0.0.1:8080", 0), 5);
    assertThat(plain.address()).isEqualTo("10.0.0.1:8080");
    assertThat(plain.format()).isEqualTo("proto");
    SessionValue timed = SessionCodec.decodeCookie(
        SessionCodec.encodeCookie("10.0.0.1:8080", 1767225600L), 1767225600L);
    assertThat(timed.expires()).isEqualTo(1767225600L);
  }

  @Test
  void expiredCookieIsNoSession() {
    String value = SessionCodec.encodeCookie("10.0.0.1:8080", 100);
    assertThat(SessionCodec.decodeCookie(value, 100).isValid()).isTrue();
    assertThat(SessionCodec.decodeCookie(value, 101).isValid()).isFalse();
  }

  @Test
  void legacyCookieIsReadWhenBytesAreNotProtobuf() {
    // "127.0.0.1:9001": field 6 fixed64, then ':' as field 7 length 57 overruns: not protobuf.
    String legacy = b64("127.0.0.1:9001");
    SessionValue value = SessionCodec.decodeCookie(legacy, 0);
    assertThat(value.address()).isEqualTo("127.0.0.1:9001");
    assertThat(value.format()).isEqualTo("legacy");
  }

  @Test
  void legacyBytesThatHappenToParseAsProtobufAreNoSessionAsInEnvoy() {
    // "10.0.0.1:8080" is well-formed protobuf (unknown fields 6 and 7) with no address.
    assertThat(SessionCodec.decodeCookie(b64("10.0.0.1:8080"), 0).isValid()).isFalse();
  }

  @Test
  void malformedValuesAreNoSessionNeverAnException() {
    String[] bad = {
        "", "=", "====", "a", "ab", "abc", "abcde", "Zg=", "Zh==", "Zm9=", "!!!!", "Zm9v\u00e9",
        "\u65e5\u672c\u8a9e\u3067", "CgoxLjIuMy40Ojg", "Cg==", "CgA=", "EAE=", "CP////8P",
        "Cv8=", "GgE=", "Cg0xMC4wLjAuMTo4MDgwEID", "/////w==", "AAAA", "DAAA",
        "Cg0xMC4wLjAuMTo4MDgwEIDy1soGgICAgICAgICAgAE=", "x".repeat(5000),
        b64bytes(new byte[] {0x0A, 0x02, (byte) 0xC3, 0x28}),
    };
    for (String value : bad) {
      SessionValue cookie = SessionCodec.decodeCookie(value, 0);
      SessionValue header = SessionCodec.decodeHeader(value);
      if (cookie.isValid()) {
        assertThat(cookie.format()).as(value).isEqualTo("legacy");
      }
      if (!header.isValid()) {
        assertThat(header.invalidReason()).isNotBlank();
      }
    }
    assertThat(SessionCodec.decodeCookie("", 0).isValid()).isFalse();
    assertThat(SessionCodec.decodeCookie("Zg=", 0).isValid()).isFalse();
    assertThat(SessionCodec.decodeCookie("Zh==", 0).isValid()).as("non-zero trailing bits").isFalse();
    assertThat(SessionCodec.decodeCookie("x".repeat(5000), 0).isValid()).isFalse();
    assertThat(SessionCodec.decodeHeader("\u65e5\u672c\u8a9e\u3067").isValid()).isFalse();
    assertThat(SessionCodec.decodeCookie(b64bytes(new byte[] {0x0A, 0x02, (byte) 0xC3, 0x28}), 0)
        .isValid()).as("invalid UTF-8 address").isFalse();
  }

  @Test
  void protobufParsingSkipsUnknownFieldsAndKeepsTheLastAddress() {
    byte[] twoAddresses = concat(CookieProto.encode("1.1.1.1:1", 0), CookieProto.encode("2.2.2.2:2", 0));
    assertThat(CookieProto.parse(twoAddresses).address()).isEqualTo("2.2.2.2:2");
    byte[] withUnknown = concat(new byte[] {0x18, 0x05, 0x25, 1, 2, 3, 4}, CookieProto.encode("3.3.3.3:3", 7));
    CookieProto.Fields fields = CookieProto.parse(withUnknown);
    assertThat(fields.address()).isEqualTo("3.3.3.3:3");
    assertThat(fields.expires()).isEqualTo(7);
    assertThat(CookieProto.parse(new byte[] {0x0C})).as("end group at top level").isNull();
    assertThat(CookieProto.parse(new byte[] {0x00})).as("tag 0").isNull();
    assertThat(CookieProto.parse(new byte[] {0x0E})).as("wire type 6").isNull();
    assertThat(CookieProto.parse(new byte[] {0x1B, 0x08, 0x01, 0x1C})).as("group").isNotNull();
    assertThat(CookieProto.parse(new byte[] {0x1B, 0x08, 0x01, 0x24})).as("mismatched group end").isNull();
  }

  @Test
  void headerValueIsBase64OfTheAddress() {
    assertThat(SessionCodec.decodeHeader("MTAuMC4wLjE6ODA4MA==").address()).isEqualTo("10.0.0.1:8080");
    assertThat(SessionCodec.encodeHeader("[2001:db8::1]:8080")).isEqualTo(b64("[2001:db8::1]:8080"));
  }

  private static String b64(String text) {
    return b64bytes(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String b64bytes(byte[] bytes) {
    return java.util.Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
