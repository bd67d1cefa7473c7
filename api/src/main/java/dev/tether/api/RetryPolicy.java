package dev.tether.api;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * When a failed attempt is retried on the next host-selection attempt: Istio's
 * {@code HTTPRetry} as Istio hands it to Envoy ({@code num_retries}, {@code retry_on},
 * {@code retriable_status_codes}).
 *
 * @param retries the most retries per request (Istio's {@code attempts}); 0 disables retries
 * @param retryOn Envoy retry conditions, in the order given: {@code connect-failure},
 *     {@code reset}, {@code 5xx}, {@code gateway-error}, {@code retriable-4xx},
 *     {@code retriable-status-codes} and the others Envoy knows
 * @param retriableStatusCodes status codes retried under {@code retriable-status-codes}
 */
public record RetryPolicy(int retries, List<String> retryOn, Set<Integer> retriableStatusCodes) {

  /**
   * Istio's default for every route: 2 retries on connect failures, refused streams, gRPC
   * {@code unavailable}/{@code cancelled} and status 503.
   */
  public static final RetryPolicy ISTIO_DEFAULT = new RetryPolicy(2,
      List.of("connect-failure", "refused-stream", "unavailable", "cancelled",
          "retriable-status-codes"),
      Set.of(503));

  public RetryPolicy {
    retryOn = List.copyOf(retryOn);
    retriableStatusCodes = Set.copyOf(retriableStatusCodes);
    if (retries < 0) {
      throw new IllegalArgumentException("retries: " + retries + " (expected: >= 0)");
    }
    Objects.requireNonNull(retryOn, "retryOn");
  }

  /**
   * Whether a request with this method may be sent again after a failed attempt: the idempotent
   * methods of RFC 9110 section 9.2.2, whose repetition has the effect of one request. Istio and
   * Envoy never retry others, whatever the policy says.
   */
  public static boolean idempotent(String method) {
    switch (method) {
      case "GET":
      case "HEAD":
      case "OPTIONS":
      case "PUT":
      case "DELETE":
      case "TRACE":
        return true;
      default:
        return false;
    }
  }
}
