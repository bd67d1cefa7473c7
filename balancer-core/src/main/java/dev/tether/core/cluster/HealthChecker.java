package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import dev.tether.api.HealthCheck;

/**
 * Active health checks: each host's next check is scheduled when the previous one ends
 * ({@code interval} later, the first at once), on the health-check scheduler, so a slow check
 * never delays discovery or an ejection. A check runs outside the runtime's lock; its result is
 * applied under it ({@link ClusterRuntime#checked}).
 */
final class HealthChecker {
  private final HealthCheck config;
  private final Scheduler scheduler;
  private final HealthProbe probe;
  private final ClusterRuntime runtime;

  HealthChecker(HealthCheck config, Scheduler scheduler, HealthProbe probe, ClusterRuntime runtime) {
    this.config = config;
    this.scheduler = scheduler;
    this.probe = probe;
    this.runtime = runtime;
  }

  boolean enabled() {
    return config.enabled();
  }

  HealthCheck config() {
    return config;
  }

  /** Checks a host that just joined, at once (under the runtime's lock). */
  void watch(HostState host) {
    schedule(host, 0);
  }

  /** Checks {@code host} again after the interval (under the runtime's lock). */
  void again(HostState host) {
    schedule(host, config.interval().toNanos());
  }

  private void schedule(HostState host, long delayNanos) {
    host.scheduled(scheduler.schedule(() -> check(host), delayNanos));
  }

  private void check(HostState host) {
    Endpoint target = runtime.checkTarget(host);
    if (target == null) {
      return;
    }
    HealthProbe.Result result;
    try {
      result = probe.check(target, config.path(), config.timeout());
    } catch (RuntimeException e) {
      result = HealthProbe.Result.NETWORK_FAILURE;
    }
    runtime.checked(host, result);
  }
}
