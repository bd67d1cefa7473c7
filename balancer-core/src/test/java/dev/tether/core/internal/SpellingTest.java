package dev.tether.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class SpellingTest {
  private static final List<String> KEYS = List.of("endpoints", "requestTimeout",
      "perTryTimeout", "sessionHeader", "sessionCookie", "name", "retries", "retryOn");

  @Test
  void aDroppedSwappedOrWrongLetterFindsTheKey() {
    assertThat(Spelling.closest("requestTimout", KEYS)).isEqualTo("requestTimeout");
    assertThat(Spelling.closest("requsetTimeout", KEYS)).isEqualTo("requestTimeout");
    assertThat(Spelling.closest("sesionHeader", KEYS)).isEqualTo("sessionHeader");
    assertThat(Spelling.closest("endpoint", KEYS)).isEqualTo("endpoints");
    assertThat(Spelling.closest("RequestTimeout", KEYS)).as("case is ignored")
        .isEqualTo("requestTimeout");
    assertThat(Spelling.closest("nmae", KEYS)).isEqualTo("name");
  }

  @Test
  void nothingIsOfferedWhenNoKeyIsClose() {
    assertThat(Spelling.closest("frobnicate", KEYS)).isNull();
    assertThat(Spelling.closest("timeout", KEYS)).isNull();
    assertThat(Spelling.closest("nm", KEYS)).as("two edits from a four-letter key").isNull();
    assertThat(Spelling.closest("sessionTimeout", KEYS))
        .as("five edits from requestTimeout, four from sessionHeader: too many").isNull();
  }

  @Test
  void theDistanceCountsEditsAndSwaps() {
    assertThat(Spelling.distance("abc", "abc")).isZero();
    assertThat(Spelling.distance("abc", "acb")).isEqualTo(1);
    assertThat(Spelling.distance("abc", "ab")).isEqualTo(1);
    assertThat(Spelling.distance("", "abc")).isEqualTo(3);
    assertThat(Spelling.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(Spelling.allowed(4)).isEqualTo(1);
    assertThat(Spelling.allowed(9)).isEqualTo(2);
    assertThat(Spelling.allowed(14)).isEqualTo(3);
  }
}
