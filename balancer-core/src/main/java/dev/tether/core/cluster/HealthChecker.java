package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import dev.tether.api.HealthCheck;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks: each host's next check is scheduled when the previous one ends
 * ({@code interval} later, the first at once), on the health-check scheduler, so a slow check
 * never delays discovery or an ejection. A check runs outside the runtime's lock; its result is
 * applied to the host ({@link HostState#checked}) under it, and a passing check returns an
 * ejected host at once (Envoy's {@code successful_active_health_check_uneject_host}).
 */
final class HealthChecker {
  private static final System.Logger LOG = System.getLogger(ClusterRuntime.class.getName());

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

  /** Checks a host that just joined, at once (under the runtime's lock). */
  void watch(HostState host) {
    schedule(host, 0);
  }

  private void schedule(HostState host, long delayNanos) {
    host.scheduled(scheduler.schedule(() -> check(host), delayNanos));
  }

  private void check(HostState host) {
    Endpoint target;
    synchronized (runtime.lock()) {
      if (!runtime.isCurrent(host)) {
        return;
      }
      target = host.source();
    }
    HealthProbe.Result result;
    try {
      result = probe.check(target, config.path(), config.timeout());
    } catch (RuntimeException e) {
      result = HealthProbe.Result.NETWORK_FAILURE;
    }
    applied(host, result);
  }

  /** Applies a check's result, then schedules the next check. */
  private void applied(HostState host, HealthProbe.Result result) {
    Object lock = runtime.lock();
    synchronized (lock) {
      if (!runtime.isCurrent(host)) {
        return;
      }
      boolean wasFirst = host.awaitingFirstCheck();
      boolean changed = host.checked(config, result);
      if (changed && !wasFirst) {
        LOG.log(Level.INFO, runtime.sourceName() + ": " + host.address() + " is "
            + (host.failingChecks() ? "failing" : "passing") + " health checks (" + result + ")");
      }
      if (result == HealthProbe.Result.PASSED && !host.failingChecks()
          && runtime.outlier().unejectAfterPassingCheck(host)) {
        changed = true;
      }
      if (changed) {
        runtime.rebuild();
      }
      if (wasFirst) {
        lock.notifyAll();
      }
      schedule(host, config.interval().toNanos());
    }
  }

  /**
   * Waits until every host has had its first check, at most {@code warmup} on the cluster
   * scheduler's clock, as Envoy warms a cluster before it takes traffic.
   */
  void awaitFirstRound(Duration warmup) {
    if (!enabled() || warmup.isZero()) {
      return;
    }
    Scheduler clock = runtime.clock();
    long deadline = clock.nanoTime() + warmup.toNanos();
    Object lock = runtime.lock();
    synchronized (lock) {
      try {
        while (!runtime.isClosed() && awaitingFirstCheck()) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoTime());
          if (left <= 0) {
            LOG.log(Level.INFO, runtime.sourceName() + ": not every endpoint answered its first"
                + " health check within " + warmup.toMillis() + "ms; those count as unhealthy"
                + " until one passes");
            return;
          }
          lock.wait(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean awaitingFirstCheck() {
    for (HostState host : runtime.hostStates()) {
      if (host.awaitingFirstCheck()) {
        return true;
      }
    }
    return false;
  }
}
