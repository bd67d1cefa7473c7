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
 */
public record UpstreamOptions(Duration connectTimeout, Duration bodyTimeout,
    Duration poolIdleTimeout, int maxIdlePerBackend) {

  /** 10 s to connect (Istio's), no body timeout, 15 s in the pool, 256 idle per backend. */
  public static final UpstreamOptions DEFAULTS = new UpstreamOptions(Duration.ofSeconds(10),
      Duration.ZERO, Duration.ofSeconds(15), 256);

  public UpstreamOptions {
    check("connectTimeout", connectTimeout, false);
    check("bodyTimeout", bodyTimeout, true);
    check("poolIdleTimeout", poolIdleTimeout, true);
    if (maxIdlePerBackend < 0) {
      throw new IllegalArgumentException(
          "maxIdlePerBackend: " + maxIdlePerBackend + " (expected: 0 or more)");
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
    return new UpstreamOptions(connect, body, poolIdleTimeout, maxIdlePerBackend);
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
