package dev.tether.core;

import dev.tether.api.Endpoint;
import dev.tether.api.Health;

/**
 * What the cluster runtime knows about one endpoint address beyond what its source says: active
 * health-check state, outlier ejection state, and an operator's drain. Mutable, and only touched
 * under the runtime's lock; the request path never sees it, only the {@link Endpoint} records
 * built from it.
 */
final class HostState {
  final String address;
  /** The endpoint as the source last listed it. */
  Endpoint endpoint;

  // Active health checking (Envoy's ActiveHealthCheckSession).
  /** Envoy's {@code FAILED_ACTIVE_HC}: set on new hosts until their first check passes. */
  boolean failedActiveCheck;
  boolean firstCheck = true;
  int passesInARow;
  int failuresInARow;
  Scheduler.Task probe;

  // Outlier detection (Envoy's DetectorHostMonitorImpl).
  boolean ejected;
  long ejectedAtNanos;
  /** Envoy's {@code ejectTimeBackoff}: the ejection time is base times this, capped. */
  int ejectionBackoff;
  boolean unejectedOnce;
  long unejectedAtNanos;

  /** Drained by an operator (JMX), on top of what the source says. */
  boolean operatorDraining;

  HostState(Endpoint endpoint, boolean activeChecks) {
    this.address = endpoint.address();
    this.endpoint = endpoint;
    this.failedActiveCheck = activeChecks;
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
    Health source = endpoint.health();
    if (source == Health.UNHEALTHY || source == Health.DRAINING) {
      return source;
    }
    return operatorDraining ? Health.DRAINING : source;
  }

  Endpoint effectiveEndpoint() {
    Health health = effectiveHealth();
    return health == endpoint.health() ? endpoint : endpoint.withHealth(health);
  }

  void cancelProbe() {
    Scheduler.Task task = probe;
    if (task != null) {
      task.cancel();
      probe = null;
    }
  }
}
