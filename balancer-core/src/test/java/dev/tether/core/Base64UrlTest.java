package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class Base64UrlTest {

  @Test
  void encodesAsTheJdksUrlEncoderWithoutPaddingAndDecodesBack() {
    Random random = new Random(5);
    byte[] out = new byte[300];
    for (int length = 0; length < 200; length++) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      String text = Base64Url.encode(data, 0, length);
      assertThat(text).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(data));
      assertThat(text).hasSize(Base64Url.encodedLength(length));
      assertThat(Base64Url.decode(text, out)).isEqualTo(length);
      assertThat(Arrays.copyOf(out, length)).isEqualTo(data);
    }
  }

  @Test
  void decodingIsStrict() {
    byte[] out = new byte[16];
    assertThat(Base64Url.decode("Zm9v", out)).isEqualTo(3);
    assertThat(Base64Url.decode("Zg", out)).isEqualTo(1);
    assertThat(Base64Url.decode("Zg==", out)).as("padding").isEqualTo(-1);
    assertThat(Base64Url.decode("Zh", out)).as("unused bits set").isEqualTo(-1);
    assertThat(Base64Url.decode("Zm9=", out)).isEqualTo(-1);
    assertThat(Base64Url.decode("Zm8", out)).isEqualTo(2);
    assertThat(Base64Url.decode("Zm9", out)).as("unused bits set").isEqualTo(-1);
    assertThat(Base64Url.decode("Zm9r", out)).isEqualTo(3);
    assertThat(Base64Url.decode("Zm9vY", out)).as("4n+1 characters").isEqualTo(-1);
    assertThat(Base64Url.decode("Zm+v", out)).as("standard alphabet").isEqualTo(-1);
    assertThat(Base64Url.decode("Zm/v", out)).isEqualTo(-1);
    assertThat(Base64Url.decode("Zm\u00e9v", out)).isEqualTo(-1);
    assertThat(Base64Url.decode("A".repeat(24), out)).as("does not fit").isEqualTo(-1);
    assertThat(Base64Url.decode("", out)).isZero();
  }
}
