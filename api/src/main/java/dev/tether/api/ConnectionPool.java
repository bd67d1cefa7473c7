package dev.tether.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Circuit breaking and the backend connection pool: Istio's {@code trafficPolicy.connectionPool}
 * as Istio hands it to Envoy, that is the cluster's {@code circuit_breakers} thresholds and its
 * HTTP protocol options. The limits hold for the whole balancer (Envoy's cluster), over every
 * endpoint, per front end: a limit reached does not eject anybody, it refuses or queues work at
 * once so that an overloaded backend set is not buried under more of it.
 *
 * <p>With HTTP/1.1 to the backends, a connection carries one request at a time, so
 * {@code maxConnections} is also the most requests in progress at once: a request holds its
 * connection slot from when it is admitted until its response (or tunnel) ends, across its
 * retries. A request that finds every slot taken waits in a FIFO queue of at most
 * {@code maxPendingRequests}; one that finds the queue full too is answered at once with
 * {@link LocalReply#OVERFLOW}. A retry needs one of {@code maxRetries} retry slots, held until the
 * retried attempt has its outcome; with none free the retry is not made, and the attempt's own
 * outcome is answered (Envoy's {@code upstream_rq_retry_overflow}).
 *
 * <p>The connect timeout ({@code connectionPool.tcp.connectTimeout}) is {@link Timeouts#connect()}.
 *
 * @param maxConnections {@code tcp.maxConnections}, Envoy {@code max_connections}: connections
 *     (so requests in progress) to the cluster at once
 * @param maxPendingRequests {@code http.http1MaxPendingRequests}, Envoy
 *     {@code max_pending_requests}: requests queued while every connection is taken
 * @param maxRequestsPerConnection {@code http.maxRequestsPerConnection}, Envoy
 *     {@code max_requests_per_connection}: requests one backend connection carries before it is
 *     closed; 0 for no limit; 1 turns keep-alive off
 * @param idleTimeout {@code http.idleTimeout}, Envoy {@code common_http_protocol_options
 *     .idle_timeout}: how long a backend connection with no request on it stays open; zero keeps
 *     it open until the backend closes it
 * @param maxRetries {@code http.maxRetries}, Envoy {@code max_retries}: retries outstanding to
 *     the cluster at once
 * @see <a href="https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings">
 *     Istio ConnectionPoolSettings</a>
 * @see <a href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking">
 *     Envoy circuit breaking</a>
 */
public record ConnectionPool(long maxConnections, long maxPendingRequests,
    long maxRequestsPerConnection, Duration idleTimeout, long maxRetries) {

  /**
   * 2^32-1: Istio's default for every limit it leaves unset (Envoy's own defaults, 1024 and 3
   * retries, would throttle a front tier, so Istio raises them out of the way).
   */
  public static final long UNLIMITED = 4_294_967_295L;

  /** Istio's idle timeout for backend connections: one hour. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);

  /** Istio's defaults: no limit on connections, queue, requests per connection or retries. */
  public static final ConnectionPool ISTIO_DEFAULTS =
      new ConnectionPool(UNLIMITED, UNLIMITED, 0, DEFAULT_IDLE_TIMEOUT, UNLIMITED);

  public ConnectionPool {
    range("tcp.maxConnections", maxConnections, 1);
    range("http.http1MaxPendingRequests", maxPendingRequests, 1);
    range("http.maxRequestsPerConnection", maxRequestsPerConnection, 0);
    range("http.maxRetries", maxRetries, 1);
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("http.idleTimeout: " + idleTimeout
          + " (expected: a duration above or at zero)");
    }
  }

  /**
   * Whether requests are admitted without counting: no connection limit and no retry limit, so
   * the request path takes no lock for circuit breaking.
   */
  public boolean unlimited() {
    return maxConnections == UNLIMITED && maxRetries == UNLIMITED;
  }

  private static void range(String key, long value, long min) {
    if (value < min || value > UNLIMITED) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: " + min + " to "
          + UNLIMITED + ")");
    }
  }
}
