package dev.tether.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.api.Failure;
import dev.tether.api.RetryPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Envoy's retry conditions, per outcome of an attempt. */
final class RetryRulesTest {

  private static RetryPolicy policy(String retryOn) {
    return Tether.parseConfig(Map.of("endpoints", "10.0.0.1:80", "retryOn", retryOn))
        .retryPolicy();
  }

  private static boolean covers(String retryOn, int... statuses) {
    for (int status : statuses) {
      if (!RetryRules.covers(policy(retryOn), status)) {
        return false;
      }
    }
    return true;
  }

  private static boolean covers(String retryOn, Failure... failures) {
    for (Failure failure : failures) {
      if (!RetryRules.covers(policy(retryOn), failure)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void statusesAreRetriedUnderEnvoysConditions() {
    assertThat(covers("5xx", 500, 599)).isTrue();
    assertThat(covers("5xx", 499)).isFalse();
    assertThat(covers("gateway-error", 502, 503, 504)).isTrue();
    assertThat(covers("gateway-error", 500)).isFalse();
    assertThat(covers("retriable-4xx", 409)).isTrue();
    assertThat(covers("retriable-4xx", 404)).isFalse();
    assertThat(covers("reset", 503)).isFalse();
    assertThat(covers("connect-failure", 503)).isFalse();
    assertThat(covers("retriable-status-codes", 503)).isFalse();
    assertThat(covers("429, 503", 429, 503)).isTrue();
  }

  @Test
  void failuresAreRetriedUnderEnvoysConditions() {
    assertThat(covers("connect-failure", Failure.CONNECT)).isTrue();
    assertThat(covers("connect-failure", Failure.RESET)).isFalse();
    assertThat(covers("connect-failure", Failure.TIMEOUT)).isFalse();
    assertThat(covers("reset-before-request", Failure.CONNECT)).isTrue();
    for (String resets : new String[] {"reset", "5xx", "gateway-error"}) {
      assertThat(covers(resets, Failure.CONNECT, Failure.RESET, Failure.PROTOCOL,
          Failure.TIMEOUT)).as(resets).isTrue();
    }
    assertThat(covers("503", Failure.CONNECT)).isFalse();
    assertThat(covers("unavailable,cancelled,refused-stream", Failure.CONNECT)).isFalse();
    for (Failure after : new Failure[] {Failure.RESET_DURING_BODY, Failure.IDLE_TIMEOUT,
        Failure.CANCELLED}) {
      assertThat(covers("reset,5xx,gateway-error,connect-failure", after)).as(after.name())
          .isFalse();
    }
  }
}
