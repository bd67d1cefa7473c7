package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import java.time.Duration;

/**
 * One active health check of one endpoint. Injected so tests decide each answer; production uses
 * {@link HttpHealthProbe}. Runs on the health-check scheduler's threads and may block up to
 * {@code timeout}.
 */
@FunctionalInterface
interface HealthProbe {

  /** What a check found. */
  enum Result {
    /** The endpoint answered 200. */
    PASSED,
    /** The endpoint answered with another status: Envoy marks it unhealthy at once. */
    BAD_STATUS,
    /** No answer: connect failure, reset or timeout; counts towards the unhealthy threshold. */
    NETWORK_FAILURE
  }

  Result check(Endpoint endpoint, String path, Duration timeout);
}
