package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class KeyRingTest {

  @Test
  void theFirstKeyIsActiveAndCommentsAndBlankLinesAreSkipped() throws Exception {
    KeyRing ring = KeyRing.parse(String.join("\n",
        "# rotated 2026-11-21",
        "",
        "  " + Rings.line("B.2026-11", 2) + "   # new",
        Rings.line("a_1-x", 1),
        "\t"));
    assertThat(ring.ids()).containsExactly("B.2026-11", "a_1-x");
    assertThat(ring.active().id).isEqualTo("B.2026-11");
    byte[] id = "a_1-x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(ring.find(id, 0, id.length).id).isEqualTo("a_1-x");
    assertThat(ring.find(id, 0, 4)).isNull();
    assertThat(KeyRing.parse(Rings.line("k", 1) + "\r\n" + Rings.line("j", 2) + "\r\n").ids())
        .containsExactly("k", "j");
  }

  @Test
  void aBadLineIsNamedByItsNumberWithoutEchoingKeyMaterial() {
    String good = Rings.line("k1", 1);
    String key = good.substring(3);
    assertThatThrownBy(() -> KeyRing.parse(good + "\n# c\nk2 is missing"))
        .hasMessageStartingWith("line 3: no '='");
    assertThatThrownBy(() -> KeyRing.parse(good + "\n" + key))
        .hasMessageStartingWith("line 2: key id of 43 characters")
        .hasMessageNotContaining(key.substring(0, 20));
    assertThatThrownBy(() -> KeyRing.parse("k 1=" + key))
        .hasMessage("line 1: key id 'k 1' (expected: 1 to 16 of A-Za-z0-9._-)");
    assertThatThrownBy(() -> KeyRing.parse("=" + key)).hasMessageStartingWith("line 1: key id ''");
    assertThatThrownBy(() -> KeyRing.parse("k1=" + key.substring(4)))
        .hasMessageStartingWith("line 1: key k1 is 29 bytes (expected: 32 random bytes");
    assertThatThrownBy(() -> KeyRing.parse("k1=not*base64"))
        .hasMessageStartingWith("line 1: key k1 is not standard Base64");
    assertThatThrownBy(() -> KeyRing.parse(good + "\n" + Rings.line("k1", 2)))
        .hasMessage("line 2: key id k1 is listed twice");
    assertThatThrownBy(() -> KeyRing.parse("# nothing\n\n"))
        .hasMessageStartingWith("no key (expected: at least one line ID=BASE64");
  }

  @Test
  void keyIdsAreOneToSixteenSafeCharacters() {
    assertThat(KeyRing.isKeyId("a")).isTrue();
    assertThat(KeyRing.isKeyId("A-Za-z0-9._")).isTrue();
    assertThat(KeyRing.isKeyId("x".repeat(16))).isTrue();
    assertThat(KeyRing.isKeyId("x".repeat(17))).isFalse();
    assertThat(KeyRing.isKeyId("")).isFalse();
    assertThat(KeyRing.isKeyId("a/b")).isFalse();
    assertThat(KeyRing.isKeyId("\u00e9")).isFalse();
  }
}
