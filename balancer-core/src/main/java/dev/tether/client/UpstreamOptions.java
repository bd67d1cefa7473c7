package dev.tether.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link UpstreamClient} talks to backends.
 *
 * @param connectTimeout the longest wait for a TCP connection
 * @param responseTimeout the longest wait, from the end of the request (head and body), for the
 *     whole response head; the backend has the request when it runs out (a 504, not retried)
 * @param bodyTimeout the longest silence while reading a response body; zero waits for ever, so a
 *     slow stream (server-sent events) is never cut
 * @param idleTimeout how long an unused connection stays in the pool; keep it below the
 *     backends' own keep-alive timeout (Tomcat's is 20 s, Jetty's 30 s), so the backend is not the
 *     one to close it
 * @param maxIdlePerBackend how many unused connections to one backend are kept; more are closed
 */
public record UpstreamOptions(Duration connectTimeout, Duration responseTimeout,
    Duration bodyTimeout, Duration idleTimeout, int maxIdlePerBackend) {

  /** 5 s to connect, 60 s for the response head, no body timeout, 15 s idle, 256 idle. */
  public static final UpstreamOptions DEFAULTS = new UpstreamOptions(Duration.ofSeconds(5),
      Duration.ofSeconds(60), Duration.ZERO, Duration.ofSeconds(15), 256);

  public UpstreamOptions {
    check("connectTimeout", connectTimeout, false);
    check("responseTimeout", responseTimeout, false);
    check("bodyTimeout", bodyTimeout, true);
    check("idleTimeout", idleTimeout, true);
    if (maxIdlePerBackend < 0) {
      throw new IllegalArgumentException(
          "maxIdlePerBackend: " + maxIdlePerBackend + " (expected 0 or more)");
    }
  }

  private static void check(String name, Duration value, boolean zeroAllowed) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || !zeroAllowed && value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected a duration above "
          + (zeroAllowed ? "or at " : "") + "zero)");
    }
  }

  /** These options with other timeouts for connecting and for the response head. */
  public UpstreamOptions withTimeouts(Duration connect, Duration response) {
    return new UpstreamOptions(connect, response, bodyTimeout, idleTimeout, maxIdlePerBackend);
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
