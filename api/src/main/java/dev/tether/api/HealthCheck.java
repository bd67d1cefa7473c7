package dev.tether.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Active HTTP health checking, with Envoy's {@code HealthCheck} semantics: every
 * {@code interval} each endpoint gets {@code GET path}; only status 200 passes.
 *
 * <ul>
 *   <li>An endpoint that has not been checked yet counts as unhealthy (Envoy's
 *       {@code FAILED_ACTIVE_HC} on new hosts); its first passing check makes it healthy at once.
 *   <li>A healthy endpoint becomes unhealthy after {@code unhealthyThreshold} network failures or
 *       timeouts in a row, or at once when it answers with another status (Envoy ignores the
 *       threshold for a response outside {@code expected_statuses}).
 *   <li>An unhealthy endpoint becomes healthy after {@code healthyThreshold} passing checks in a
 *       row.
 * </ul>
 *
 * <p>Checking is off when the path is empty ({@link #OFF}); the other fields of {@link #OFF} are
 * the defaults a check takes when only its path is given ({@link #of(String)}).
 *
 * @param path the request path, starting with {@code /}; empty when checking is off
 * @param interval time between the end of one check and the start of the next
 * @param timeout the longest a check may take, connect included
 * @param healthyThreshold passing checks in a row that make an unhealthy endpoint healthy
 * @param unhealthyThreshold failed checks in a row that make a healthy endpoint unhealthy
 */
public record HealthCheck(
    String path, Duration interval, Duration timeout, int healthyThreshold,
    int unhealthyThreshold) {

  /** Envoy's usual interval in Istio's examples. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  /** One pass brings an endpoint back, as Envoy's {@code healthy_threshold} examples. */
  public static final int DEFAULT_HEALTHY_THRESHOLD = 1;
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

  /** No active health checks. */
  public static final HealthCheck OFF = new HealthCheck("", DEFAULT_INTERVAL, DEFAULT_TIMEOUT,
      DEFAULT_HEALTHY_THRESHOLD, DEFAULT_UNHEALTHY_THRESHOLD);

  public HealthCheck {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
  }

  /** Checks of {@code path} with the default interval, timeout and thresholds. */
  public static HealthCheck of(String path) {
    return new HealthCheck(path, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_HEALTHY_THRESHOLD,
        DEFAULT_UNHEALTHY_THRESHOLD);
  }

  /** Whether endpoints are checked at all. */
  public boolean enabled() {
    return !path.isEmpty();
  }
}
