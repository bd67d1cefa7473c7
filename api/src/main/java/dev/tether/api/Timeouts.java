package dev.tether.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a front end waits for a backend, the same on every front end. Zero means "no limit"
 * for every timeout but {@code connect}.
 *
 * @param connect the longest wait for a TCP connection to a backend (Istio's
 *     {@code connectionPool.tcp.connectTimeout}); a connection not made in time is a connect
 *     failure, retried like a refused one
 * @param request the longest wait, counted from when the request has been sent to the first
 *     backend, for a backend's response head, shared by all attempts (the route timeout of
 *     Istio's VirtualService); then 504. It ends at the head, so a stream or server-sent events
 *     are never cut by it
 * @param perTry the longest wait for one attempt's response head (Istio's
 *     {@code retries.perTryTimeout}); a per-try timeout may be retried
 * @param idle the longest time without a byte either way on an open response or tunnel (Envoy's
 *     stream idle timeout); then the client connection is closed
 */
public record Timeouts(Duration connect, Duration request, Duration perTry, Duration idle) {

  /**
   * Istio's connect timeout (10 s); 30 s for the response head (what both containers waited
   * before Tether had this key; Istio sets no route timeout); no per-try timeout (Istio's
   * default); an hour of silence on an open response or tunnel (Istio's upstream idle timeout,
   * so a quiet WebSocket stays open).
   */
  public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1));

  public Timeouts {
    check("connectTimeout", connect, false);
    check("requestTimeout", request, true);
    check("perTryTimeout", perTry, true);
    check("idleTimeout", idle, true);
  }

  private static void check(String key, Duration value, boolean zeroAllowed) {
    Objects.requireNonNull(value, key);
    if (value.isNegative() || !zeroAllowed && value.isZero()) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: a duration above "
          + (zeroAllowed ? "or at " : "") + "zero)");
    }
  }
}
