package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.api.RetryPolicy;
import dev.tether.core.Fixtures;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code retries} and {@code retryOn} as Istio reads a VirtualService's retry policy. */
final class RetryOnParserTest {
  private static final String THREE = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";

  @Test
  void retryOnIsReadAsIstioReadsIt() {
    assertThat(RetryOnParser.parse("retryOn", "503,connect-failure", 3)).isEqualTo(new RetryPolicy(
        3, List.of("connect-failure", "retriable-status-codes"), Set.of(503)));
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "retryOn", "5xx,timeout"))
        .hasMessage("retryOn: 5xx,timeout (expected: " + RetryOnParser.EXPECTED + "; not timeout)");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "retryOn", "600"))
        .hasMessage("retryOn: 600 (expected: " + RetryOnParser.EXPECTED + ")");
    assertThatThrownBy(() -> Fixtures.config("endpoints", THREE, "retries", "-1"))
        .hasMessage("retries: -1 (expected: a whole number >= 0 (0 disables retries))");
  }

  @Test
  void theDefaultIsWrittenAsItIsRead() {
    assertThat(RetryOnParser.format(RetryPolicy.ISTIO_DEFAULT))
        .isEqualTo("connect-failure,refused-stream,unavailable,cancelled,503");
    assertThat(RetryOnParser.parse("retryOn", RetryOnParser.format(RetryPolicy.ISTIO_DEFAULT),
        RetryPolicy.ISTIO_DEFAULT.retries())).isEqualTo(RetryPolicy.ISTIO_DEFAULT);
  }
}
