package dev.tether.core;

import dev.tether.api.RetryPolicy;
import java.util.List;

/**
 * Which failures a retry policy covers, as Envoy's router decides it. A connect failure (status
 * 0, no response) is covered by {@code connect-failure}, {@code reset},
 * {@code reset-before-request}, {@code 5xx} and {@code gateway-error} (Envoy counts a reset as a
 * 5xx); a response by {@code 5xx} (500-599), {@code gateway-error} (502, 503, 504),
 * {@code retriable-4xx} (409) or {@code retriable-status-codes} with its code listed. The gRPC
 * conditions, {@code refused-stream}, {@code envoy-ratelimited} and {@code retriable-headers}
 * depend on what only Envoy sees (gRPC status trailers, HTTP/2 stream resets, its own rate
 * limiter, header matchers) and never match here.
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/common/router/retry_state_impl.cc">
 *     Envoy retry_state_impl.cc</a>
 */
final class Retries {
  private Retries() {}

  static boolean covers(RetryPolicy policy, int status) {
    List<String> on = policy.retryOn();
    if (status == 0) {
      return on.contains("connect-failure") || on.contains("reset")
          || on.contains("reset-before-request") || on.contains("5xx")
          || on.contains("gateway-error");
    }
    if (status >= 500 && status <= 599 && on.contains("5xx")) {
      return true;
    }
    if ((status == 502 || status == 503 || status == 504) && on.contains("gateway-error")) {
      return true;
    }
    if (status == 409 && on.contains("retriable-4xx")) {
      return true;
    }
    return on.contains("retriable-status-codes")
        && policy.retriableStatusCodes().contains(status);
  }
}
