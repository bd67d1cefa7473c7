package dev.tether.core;

import dev.tether.api.HealthCheck;

/**
 * The state machine of one endpoint's active health checks, as Envoy's
 * {@code ActiveHealthCheckSession} runs it: a new endpoint is unhealthy until its first check
 * passes, which makes it healthy at once; later, {@code healthyThreshold} passes in a row bring
 * it back; {@code unhealthyThreshold} network failures or timeouts in a row take it out, and a
 * response with a status other than 200 takes it out at once.
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/extensions/health_checkers/common/health_checker_base_impl.cc">
 *     Envoy health_checker_base_impl.cc</a>
 */
final class ActiveHealth {
  private ActiveHealth() {}

  /**
   * Applies one check result to {@code host} (under the runtime's lock).
   *
   * @return whether the host's health changed
   */
  static boolean apply(HealthCheck config, HostState host, HealthProbe.Result result) {
    boolean changed = false;
    if (result == HealthProbe.Result.PASSED) {
      host.failuresInARow = 0;
      if (host.failedActiveCheck) {
        host.passesInARow++;
        if (host.firstCheck || host.passesInARow >= config.healthyThreshold()) {
          host.failedActiveCheck = false;
          host.passesInARow = 0;
          changed = true;
        }
      }
    } else {
      host.passesInARow = 0;
      if (!host.failedActiveCheck) {
        host.failuresInARow++;
        if (result == HealthProbe.Result.BAD_STATUS
            || host.failuresInARow >= config.unhealthyThreshold()) {
          host.failedActiveCheck = true;
          host.failuresInARow = 0;
          changed = true;
        }
      }
    }
    host.firstCheck = false;
    return changed;
  }
}
