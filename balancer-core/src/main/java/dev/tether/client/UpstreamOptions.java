package dev.tether.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link UpstreamClient} talks to backends. The wait for a response head is not here: it
 * is the caller's per request (the exchange's request and per-try timeouts), given to
 * {@link UpstreamClient#send}.
 *
 * @param connectTimeout the longest wait for a TCP connection
 * @param bodyTimeout the longest silence while reading a response body (the core's
 *     {@code idleTimeout}); zero waits for ever
 * @param poolIdleTimeout how long an unused connection stays in the pool; keep it below the
 *     backends' own keep-alive timeout (Tomcat's is 20 s, Jetty's 30 s), so the backend is not the
 *     one to close it
 * @param maxIdlePerBackend how many unused connections to one backend are kept; more are closed
 * @param maxRequestsPerConnection how many requests one connection carries before it is closed
 *     rather than pooled (Istio's {@code http.maxRequestsPerConnection}); 0 for no limit
 */
public record UpstreamOptions(Duration connectTimeout, Duration bodyTimeout,
    Duration poolIdleTimeout, int maxIdlePerBackend, long maxRequestsPerConnection) {

  /**
   * 10 s to connect (Istio's), no body timeout, 15 s in the pool, 256 idle per backend, no limit
   * of requests per connection.
   */
  public static final UpstreamOptions DEFAULTS = new UpstreamOptions(Duration.ofSeconds(10),
      Duration.ZERO, Duration.ofSeconds(15), 256, 0);

  /**
   * A pool idle timeout no connection reaches (ten years): what Istio's
   * {@code http.idleTimeout: 0s} asks for, connections kept until the backend closes them.
   */
  public static final Duration NO_IDLE_LIMIT = Duration.ofDays(3650);

  public UpstreamOptions {
    check("connectTimeout", connectTimeout, false);
    check("bodyTimeout", bodyTimeout, true);
    check("poolIdleTimeout", poolIdleTimeout, true);
    if (maxIdlePerBackend < 0) {
      throw new IllegalArgumentException(
          "maxIdlePerBackend: " + maxIdlePerBackend + " (expected: 0 or more)");
    }
    if (maxRequestsPerConnection < 0) {
      throw new IllegalArgumentException("maxRequestsPerConnection: " + maxRequestsPerConnection
          + " (expected: 0 or more)");
    }
  }

  private static void check(String name, Duration value, boolean zeroAllowed) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || !zeroAllowed && value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: a duration above "
          + (zeroAllowed ? "or at " : "") + "zero)");
    }
  }

  /** These options with another connect timeout and body timeout. */
  public UpstreamOptions withTimeouts(Duration connect, Duration body) {
    return new UpstreamOptions(connect, body, poolIdleTimeout, maxIdlePerBackend,
        maxRequestsPerConnection);
  }

  /**
   * These options with the pool settings of Istio's {@code connectionPool}: connections idle for
   * {@code idle} are closed ({@code 0s}: {@link #NO_IDLE_LIMIT}), at most {@code maxIdle} are kept
   * per backend, and each carries at most {@code perConnection} requests (0: no limit).
   */
  public UpstreamOptions withPool(Duration idle, int maxIdle, long perConnection) {
    return new UpstreamOptions(connectTimeout, bodyTimeout, idle.isZero() ? NO_IDLE_LIMIT : idle,
        maxIdle, perConnection);
  }

  /** A timeout as {@link java.net.Socket#setSoTimeout} takes it: whole milliseconds, 0 = none. */
  static int millis(Duration duration) {
    if (duration.isZero()) {
      return 0;
    }
    long millis = Math.max(1, duration.toMillis());
    return (int) Math.min(Integer.MAX_VALUE, millis);
  }
}
