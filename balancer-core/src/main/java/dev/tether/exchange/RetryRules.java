package dev.tether.exchange;

import dev.tether.api.Failure;
import dev.tether.api.RetryPolicy;
import java.util.List;

/**
 * Which outcomes of an attempt a retry policy covers, as Envoy's router decides it
 * ({@code RetryStateImpl::wouldRetryFromReset} and {@code wouldRetryFromHeaders}), and the one
 * rule Tether adds on top: a request whose bytes may have reached a backend is sent again only
 * when its method is idempotent.
 *
 * <ul>
 *   <li>A connect failure: {@code connect-failure}, {@code reset}, {@code reset-before-request},
 *       {@code 5xx} and {@code gateway-error} (Envoy counts every reset as a 5xx). Nothing was
 *       sent, so any method may be retried, as Envoy retries it.
 *   <li>A reset or protocol error before the response head, and a per-try timeout: {@code reset},
 *       {@code 5xx}, {@code gateway-error}; idempotent methods only.
 *   <li>A response: {@code 5xx} (500-599), {@code gateway-error} (502, 503, 504),
 *       {@code retriable-4xx} (409), or {@code retriable-status-codes} with its code listed;
 *       idempotent methods only.
 * </ul>
 *
 * <p>The gRPC conditions, {@code refused-stream}, {@code envoy-ratelimited} and
 * {@code retriable-headers} depend on what only Envoy sees (gRPC status trailers, HTTP/2 stream
 * resets, its own rate limiter, header matchers) and never match here.
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/common/router/retry_state_impl.cc">
 *     Envoy retry_state_impl.cc</a>
 */
final class RetryRules {
  private RetryRules() {}

  /** Whether {@code policy} retries an attempt that ended with {@code failure}. */
  static boolean covers(RetryPolicy policy, Failure failure) {
    List<String> on = policy.retryOn();
    boolean anyReset = on.contains("reset") || on.contains("5xx") || on.contains("gateway-error");
    return switch (failure) {
      case CONNECT -> anyReset || on.contains("connect-failure")
          || on.contains("reset-before-request");
      case RESET, PROTOCOL, TIMEOUT -> anyReset;
      default -> false;
    };
  }

  /** Whether {@code policy} retries a backend's response with {@code status}. */
  static boolean covers(RetryPolicy policy, int status) {
    List<String> on = policy.retryOn();
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
