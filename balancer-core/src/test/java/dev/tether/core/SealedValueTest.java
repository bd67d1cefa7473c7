package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class SealedValueTest {
  private static final long NOW = 1_767_225_600L;
  private final KeyRing ring = Rings.ring("k1", 1, "k0", 2);
  private final NonceSource nonces = NonceSource.seeded(42);

  private String seal(String address, long expires) {
    return SealedValue.seal(ring, address, expires, nonces);
  }

  private static byte[] bytes(String value) {
    byte[] out = new byte[SealedValue.MAX_BYTES];
    int n = Base64Url.decode(value, out);
    assertThat(n).as("decodes: %s", value).isPositive();
    return Arrays.copyOf(out, n);
  }

  @Test
  void sealedAddressesOpenToTheSameTextWithExpiryAndKey() {
    for (String address : List.of("10.0.0.1:8080", "255.255.255.255:65535", "1.2.3.4:1",
        "[2001:db8::1]:8080", "[::1]:80", "[::ffff:10.0.0.1]:443", "[fe80::1%eth0]:8080",
        "backend-1.default.svc.cluster.local:5000", "010.0.0.1:80")) {
      for (long expires : new long[] {0, NOW, -1L}) {
        SessionValue opened = SealedValue.open(ring, seal(address, expires), NOW);
        assertThat(opened.isValid()).as("%s %s: %s", address, expires, opened).isTrue();
        assertThat(opened.address()).isEqualTo(address);
        assertThat(opened.expires()).isEqualTo(expires);
        assertThat(opened.keyId()).isEqualTo("k1");
        assertThat(opened.format()).isEqualTo("sealed");
      }
    }
  }

  @Test
  void theValueIsUrlSafeBase64WithoutPaddingAndHidesTheAddress() {
    String value = seal("10.0.0.1:8080", 0);
    assertThat(value).matches("[A-Za-z0-9_-]+").startsWith("A");
    assertThat(value).doesNotContain(SessionCodec.encodeHeader("10.0.0.1:8080").substring(0, 8));
    assertThat(new String(bytes(value), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("10.0.0.1").doesNotContain("8080");
    assertThat(seal("10.0.0.1:8080", 0)).as("a new nonce every time").isNotEqualTo(value);
  }

  @Test
  void lengthsAreAsDocumentedAndIpv4StaysWithinOneHundredCharacters() {
    KeyRing longest = Rings.ring("a234567890123456", 3);
    KeyRing shortest = Rings.ring("a", 3);
    String v4 = SealedValue.seal(longest, "255.255.255.255:65535", -1L, nonces);
    assertThat(bytes(v4)).hasSize(45 + 16);
    assertThat(v4).hasSize(82).hasSizeLessThanOrEqualTo(100);
    assertThat(SealedValue.seal(shortest, "1.2.3.4:80", 0, nonces)).hasSize(62);
    assertThat(SealedValue.seal(longest, "[2001:db8::1]:8080", 0, nonces)).hasSize(98);
    assertThat(SealedValue.seal(shortest, "[2001:db8::1]:8080", 0, nonces)).hasSize(78);
  }

  @Test
  void everySingleByteChangeOfAValueIsRejected() {
    for (String address : List.of("10.0.0.1:8080", "[2001:db8::1]:8080", "web-1:80")) {
      String value = seal(address, NOW + 3600);
      byte[] original = bytes(value);
      int checked = 0;
      for (int i = 0; i < original.length; i++) {
        for (int delta = 1; delta < 256; delta++) {
          byte[] changed = original.clone();
          changed[i] = (byte) (changed[i] ^ delta);
          String tampered = Base64Url.encode(changed, 0, changed.length);
          SessionValue opened = SealedValue.open(ring, tampered, NOW);
          assertThat(opened.isValid()).as("byte %d ^ %d of %s", i, delta, value).isFalse();
          assertThat(opened.invalidReason()).isNotBlank();
          checked++;
        }
      }
      assertThat(checked).isEqualTo(original.length * 255);
    }
  }

  @Test
  void everySingleCharacterChangeOfAValueIsRejected() {
    String value = seal("10.0.0.1:8080", 0);
    String characters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.~ \u00e9";
    for (int i = 0; i < value.length(); i++) {
      for (char c : characters.toCharArray()) {
        if (c == value.charAt(i)) {
          continue;
        }
        String changed = value.substring(0, i) + c + value.substring(i + 1);
        assertThat(SealedValue.open(ring, changed, NOW).isValid()).as("char %d -> %s", i, c)
            .isFalse();
      }
    }
    assertThat(SealedValue.open(ring, value.substring(1), NOW).isValid()).isFalse();
    assertThat(SealedValue.open(ring, value.substring(0, value.length() - 1), NOW).isValid())
        .isFalse();
    assertThat(SealedValue.open(ring, value + "A", NOW).isValid()).isFalse();
  }

  @Test
  void aValueFromAnotherRingWithTheSameKeyIdIsRejected() {
    KeyRing other = Rings.ring("k1", 99, "k0", 2);
    String foreign = SealedValue.seal(other, "10.0.0.1:8080", 0, nonces);
    SessionValue opened = SealedValue.open(ring, foreign, NOW);
    assertThat(opened.isValid()).isFalse();
    assertThat(opened.invalidReason()).isEqualTo(SealedValue.FORGED);
    assertThat(SealedValue.open(other, foreign, NOW).address()).isEqualTo("10.0.0.1:8080");
  }

  @Test
  void changingTheKeyIdToAnotherKeyOfTheRingFailsAuthentication() {
    byte[] value = bytes(seal("10.0.0.1:8080", 0));
    value[3] = '0'; // "k1" -> "k0": a key the ring has, but the id is authenticated data
    SessionValue opened = SealedValue.open(ring, Base64Url.encode(value, 0, value.length), NOW);
    assertThat(opened.invalidReason()).isEqualTo(SealedValue.FORGED);
  }

  @Test
  void aKeyThatIsNotActiveStillOpensAndSaysWhichItWas() {
    KeyRing before = Rings.ring("k0", 2);
    String old = SealedValue.seal(before, "10.0.0.1:8080", 0, nonces);
    SessionValue opened = SealedValue.open(ring, old, NOW);
    assertThat(opened.address()).isEqualTo("10.0.0.1:8080");
    assertThat(opened.keyId()).isEqualTo("k0");
    assertThat(SealedValue.open(Rings.ring("k9", 2), old, NOW).invalidReason())
        .isEqualTo(SealedValue.UNKNOWN_KEY);
    assertThat(SealedValue.keyId(old)).isEqualTo("k0");
  }

  @Test
  void anExpiredValueIsNoSession() {
    String value = seal("10.0.0.1:8080", NOW);
    assertThat(SealedValue.open(ring, value, NOW).isValid()).isTrue();
    assertThat(SealedValue.open(ring, value, NOW + 1).invalidReason())
        .isEqualTo("expired at " + NOW);
    assertThat(SealedValue.open(ring, seal("10.0.0.1:8080", 0), Long.MAX_VALUE).isValid())
        .as("0 is no expiry").isTrue();
  }

  @Test
  void noncesNeverRepeatAcrossAMillionSeals() {
    NonceSource production = NonceSource.secure();
    int count = 1_000_000;
    long[] high = new long[count];
    int[] low = new int[count];
    for (int i = 0; i < count; i++) {
      byte[] value = bytes(SealedValue.seal(ring, "10.0.0.1:8080", 0, production));
      int at = 2 + value[1];
      long h = 0;
      for (int b = 0; b < 8; b++) {
        h = h << 8 | (value[at + b] & 0xFF);
      }
      int l = 0;
      for (int b = 8; b < 12; b++) {
        l = l << 8 | (value[at + b] & 0xFF);
      }
      high[i] = h;
      low[i] = l;
    }
    long[] sorted = high.clone();
    Arrays.sort(sorted);
    List<Long> sharedHigh = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      if (sorted[i] == sorted[i - 1]) {
        sharedHigh.add(sorted[i]);
      }
    }
    // 64 equal bits in a million random nonces happen with probability 3e-8; then the other 32
    // must differ.
    for (long h : sharedHigh) {
      List<Integer> lows = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (high[i] == h) {
          lows.add(low[i]);
        }
      }
      assertThat(lows).as("nonces starting %x", h).doesNotHaveDuplicates();
    }
    assertThat(Arrays.stream(high).distinct().count()).isGreaterThanOrEqualTo(count - 1L);
  }

  @Test
  void aHundredThousandRandomStringsAndAsManyByteStringsOpenToNoSessionWithoutAnException() {
    Random random = new Random(20261121L);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int valid = 0;
    // 10^5 random strings (i % 4 of 0 and 1) and 10^5 random byte strings (2 and 3).
    for (int i = 0; i < 200_000; i++) {
      String text;
      switch (i % 4) {
        case 0: { // any UTF-16 text, including unpaired surrogates and controls
          char[] chars = new char[random.nextInt(SealedValue.MAX_CHARS + 40)];
          for (int c = 0; c < chars.length; c++) {
            chars[c] = (char) random.nextInt(0x10000);
          }
          text = new String(chars);
          break;
        }
        case 1: { // the value alphabet at plausible lengths, starting like a sealed value
          StringBuilder chars = new StringBuilder("A");
          int length = SealedValue.MIN_CHARS - 5 + random.nextInt(SealedValue.MAX_CHARS - 50);
          for (int c = 1; c < length; c++) {
            chars.append(alphabet.charAt(random.nextInt(64)));
          }
          text = chars.toString();
          break;
        }
        case 2: { // random bytes behind a real header (version, id of a ring key)
          byte[] data = new byte[4 + random.nextInt(SealedValue.MAX_BYTES - 4)];
          random.nextBytes(data);
          data[0] = SealedValue.VERSION;
          data[1] = 2;
          data[2] = 'k';
          data[3] = (byte) (random.nextBoolean() ? '1' : '0');
          text = Base64Url.encode(data, 0, data.length);
          break;
        }
        default: { // any byte string, any length
          byte[] data = new byte[random.nextInt(SealedValue.MAX_BYTES + 40)];
          random.nextBytes(data);
          text = Base64Url.encode(data, 0, data.length);
          break;
        }
      }
      SessionValue opened = SealedValue.open(ring, text, NOW);
      if (opened.isValid()) {
        valid++;
      } else {
        assertThat(opened.invalidReason()).isNotBlank();
      }
      assertThat(SessionCodec.decodeCookie(text, NOW)).isNotNull();
      assertThat(SessionCodec.decodeHeader(text)).isNotNull();
    }
    assertThat(valid).as("random input that authenticates (2^-128 each)").isZero();
  }

  @Test
  void oversizedAndEmptyInputIsRefusedBeforeDecoding() {
    assertThat(SealedValue.open(ring, "", NOW).invalidReason()).isEqualTo(SealedValue.NOT_SEALED);
    assertThat(SealedValue.open(ring, null, NOW).invalidReason()).isEqualTo(SealedValue.NOT_SEALED);
    assertThat(SealedValue.open(ring, "A".repeat(1 << 20), NOW).invalidReason())
        .isEqualTo(SealedValue.NOT_SEALED);
  }
}
