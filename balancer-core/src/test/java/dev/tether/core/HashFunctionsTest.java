package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class HashFunctionsTest {

  @Test
  void xxHash64MatchesEnvoyHashUtilVectors() {
    assertThat(Long.toUnsignedString(XxHash64.hash("foo"))).isEqualTo("3728699739546630719");
    assertThat(Long.toUnsignedString(XxHash64.hash("bar"))).isEqualTo("5234164152756840025");
    assertThat(Long.toUnsignedString(XxHash64.hash("foo\nbar"))).isEqualTo("8917841378505826757");
    assertThat(Long.toUnsignedString(XxHash64.hash("lyft"))).isEqualTo("4400747396090729504");
    // Envoy hashes a list of header values by chaining the seed, not by concatenating them.
    long chained = XxHash64.hash("bar", XxHash64.hash("foo"));
    assertThat(Long.toUnsignedString(chained)).isEqualTo("17745830980996999794");
    // Values are sorted byte-wise before chaining.
    assertThat(RequestHasher.hashHeaderValues(java.util.List.of("foo", "bar")))
        .isEqualTo(XxHash64.hash("foo", XxHash64.hash("bar")));
    assertThat(RequestHasher.hashHeaderValues(java.util.List.of("bar", "foo")))
        .isEqualTo(RequestHasher.hashHeaderValues(java.util.List.of("foo", "bar")));
  }

  @Test
  void murmurHash2MatchesLibstdcxxStdHash() {
    // Printed by std::hash<std::string> of g++ 12 / libstdc++ on x86_64.
    String[][] vectors = {
        {"", "6142509188972423790"},
        {"a", "4993892634952068459"},
        {"foo", "9631199822919835226"},
        {"bar", "11474628671133349555"},
        {"lyft", "12847078931730529320"},
        {"foo\nbar", "16306510975912980159"},
        {"abcdefgh", "8664279048047335611"},
        {"abcdefghi", "13036955925923793583"},
        {"10.0.0.1:8080_0", "2887472326060304709"},
        {"127.0.0.1:90_1", "7593076544525390372"},
        {"a somewhat longer string of text, 48 bytes long..", "17378756441187089611"},
    };
    for (String[] v : vectors) {
      assertThat(Long.toUnsignedString(MurmurHash2.hash(v[0]))).as(v[0]).isEqualTo(v[1]);
    }
  }

  @Test
  void xxHash64OfEveryLengthAgreesWithItsOffsetForm() {
    SplittableRandom random = new SplittableRandom(7);
    byte[] data = new byte[300];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) random.nextInt(256);
    }
    for (int length = 0; length <= 100; length++) {
      byte[] copy = java.util.Arrays.copyOfRange(data, 37, 37 + length);
      assertThat(XxHash64.hash(data, 37, length, 5)).isEqualTo(XxHash64.hash(copy, 0, length, 5));
    }
  }

  @Test
  void stringsAreHashedAsUtf8() {
    String text = "caf\u00e9-\u65e5\u672c";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    assertThat(XxHash64.hash(text)).isEqualTo(XxHash64.hash(bytes, 0, bytes.length, 0));
  }
}
