package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.api.HealthCheck;
import dev.tether.core.jmx.HostView;

/**
 * What the cluster runtime knows about one endpoint address beyond what its source says: active
 * health-check state, outlier ejection state, and an operator's drain. It changes only through
 * its own methods, each one a named transition (as grpc-java's {@code AddressTracker}), and only
 * under the runtime's lock; the request path never sees it, only the {@link Endpoint} records
 * built from it.
 */
final class HostState {
  private final String address;
  /** The endpoint as the source last listed it. */
  private Endpoint source;

  // Active health checking (Envoy's ActiveHealthCheckSession).
  /** Envoy's {@code FAILED_ACTIVE_HC}: set on new hosts until their first check passes. */
  private boolean failedActiveCheck;
  private boolean firstCheck = true;
  private int passesInARow;
  private int failuresInARow;
  private Scheduler.Task probe;

  // Outlier detection (Envoy's DetectorHostMonitorImpl).
  private boolean ejected;
  private long ejectedAtNanos;
  /** Envoy's {@code ejectTimeBackoff}: the ejection time is base times this, capped. */
  private int ejectionBackoff;
  private boolean unejectedOnce;
  private long unejectedAtNanos;
  private long ejections;

  /** Drained by an operator (JMX), on top of what the source says. */
  private boolean operatorDraining;

  /** @param activeChecks whether health checks run: the host then starts failing, as in Envoy */
  HostState(Endpoint endpoint, boolean activeChecks) {
    this.address = endpoint.address();
    this.source = endpoint;
    this.failedActiveCheck = activeChecks;
  }

  String address() {
    return address;
  }

  /** The endpoint as its source lists it now (weight, locality, the source's own health). */
  Endpoint source() {
    return source;
  }

  /** The source listed this address again, perhaps with other attributes. */
  void listed(Endpoint endpoint) {
    this.source = endpoint;
  }

  /**
   * The health the balancer sees, in Envoy's precedence ({@code HostImplBase::healthStatus}):
   * a failed active check or an ejection makes an endpoint unhealthy whatever its source says;
   * then the source's UNHEALTHY or DRAINING; then an operator's drain; then the source's health.
   */
  Health effectiveHealth() {
    if (failedActiveCheck || ejected) {
      return Health.UNHEALTHY;
    }
    Health listed = source.health();
    if (listed == Health.UNHEALTHY || listed == Health.DRAINING) {
      return listed;
    }
    return operatorDraining ? Health.DRAINING : listed;
  }

  Endpoint effectiveEndpoint() {
    Health health = effectiveHealth();
    return health == source.health() ? source : source.withHealth(health);
  }

  HostView view() {
    return new HostView(effectiveEndpoint(), ejected, failedActiveCheck, ejections);
  }

  // ---------------------------------------------------------------- active health checks

  boolean awaitingFirstCheck() {
    return firstCheck;
  }

  boolean failingChecks() {
    return failedActiveCheck;
  }

  /**
   * One check result, as Envoy's {@code ActiveHealthCheckSession} runs it: a new endpoint is
   * unhealthy until its first check passes, which makes it healthy at once; later,
   * {@code healthyThreshold} passes in a row bring it back; {@code unhealthyThreshold} network
   * failures or timeouts in a row take it out, and a response with a status other than 200 takes
   * it out at once.
   *
   * @return whether the host's health changed
   * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/extensions/health_checkers/common/health_checker_base_impl.cc">
   *     Envoy health_checker_base_impl.cc</a>
   */
  boolean checked(HealthCheck config, HealthProbe.Result result) {
    boolean changed = false;
    if (result == HealthProbe.Result.PASSED) {
      failuresInARow = 0;
      if (failedActiveCheck) {
        passesInARow++;
        if (firstCheck || passesInARow >= config.healthyThreshold()) {
          failedActiveCheck = false;
          passesInARow = 0;
          changed = true;
        }
      }
    } else {
      passesInARow = 0;
      if (!failedActiveCheck) {
        failuresInARow++;
        if (result == HealthProbe.Result.BAD_STATUS
            || failuresInARow >= config.unhealthyThreshold()) {
          failedActiveCheck = true;
          failuresInARow = 0;
          changed = true;
        }
      }
    }
    firstCheck = false;
    return changed;
  }

  /** The next check, so that it can be cancelled when the host leaves. */
  void scheduled(Scheduler.Task next) {
    probe = next;
  }

  void cancelProbe() {
    Scheduler.Task task = probe;
    if (task != null) {
      task.cancel();
      probe = null;
    }
  }

  // ---------------------------------------------------------------- outlier ejection

  boolean isEjected() {
    return ejected;
  }

  /**
   * Ejects the host now; the backoff grows by one unless the ejection time is already capped
   * ({@code backoff * base >= max + base}).
   */
  void eject(long nowNanos, long baseNanos, long maxNanos) {
    ejected = true;
    ejectedAtNanos = nowNanos;
    if ((long) ejectionBackoff * baseNanos < maxNanos + baseNanos) {
      ejectionBackoff++;
    }
    ejections++;
  }

  /** How long this ejection lasts: {@code min(base * backoff, max)}. */
  long ejectionNanos(long baseNanos, long maxNanos) {
    return Math.min(baseNanos * ejectionBackoff, maxNanos);
  }

  /** Whether an ejected host's time is up at {@code nowNanos}. */
  boolean ejectionOver(long nowNanos, long baseNanos, long maxNanos) {
    return ejected && ejectionNanos(baseNanos, maxNanos) <= nowNanos - ejectedAtNanos;
  }

  void uneject(long nowNanos) {
    ejected = false;
    unejectedOnce = true;
    unejectedAtNanos = nowNanos;
  }

  /** A host back for at least an interval has its backoff lowered by one (Envoy's sweep). */
  void decayBackoff(long nowNanos, long intervalNanos) {
    if (!ejected && unejectedOnce && nowNanos - unejectedAtNanos >= intervalNanos
        && ejectionBackoff > 0) {
      ejectionBackoff--;
    }
  }

  // ---------------------------------------------------------------- operator's drain

  /** @return whether the drain changed */
  boolean drained(boolean draining) {
    if (operatorDraining == draining) {
      return false;
    }
    operatorDraining = draining;
    return true;
  }
}
