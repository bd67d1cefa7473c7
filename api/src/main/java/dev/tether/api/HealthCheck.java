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
 * @param path the request path, starting with {@code /}
 * @param interval time between the end of one check and the start of the next
 * @param timeout the longest a check may take, connect included
 * @param healthyThreshold passing checks in a row that make an unhealthy endpoint healthy
 * @param unhealthyThreshold failed checks in a row that make a healthy endpoint unhealthy
 */
public record HealthCheck(
    String path, Duration interval, Duration timeout, int healthyThreshold,
    int unhealthyThreshold) {

  public HealthCheck {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
  }
}
