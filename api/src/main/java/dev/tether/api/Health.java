package dev.tether.api;

/**
 * Health of an endpoint, with Envoy's meaning (EDS {@code HealthStatus}).
 *
 * <p>{@link #UNKNOWN} and {@link #HEALTHY} both count as healthy for load balancing, as in Envoy:
 * an endpoint nobody has checked yet takes traffic. {@link #DEGRADED} endpoints count towards
 * availability but are not placed in the hash ring or Maglev table. {@link #DRAINING} endpoints
 * take no new sessions, yet keep serving the sessions already pinned to them when the session
 * override set allows it (Istio adds DRAINING to that set).
 */
public enum Health {
  UNKNOWN,
  HEALTHY,
  DEGRADED,
  UNHEALTHY,
  DRAINING;

  /** Whether the load balancer may place this endpoint in its ring or table outside panic. */
  public boolean isHealthy() {
    return this == UNKNOWN || this == HEALTHY;
  }
}
