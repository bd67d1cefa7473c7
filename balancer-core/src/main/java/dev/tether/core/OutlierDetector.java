package dev.tether.core;

import dev.tether.api.OutlierDetection;
import java.time.Duration;
import java.util.Collection;

/**
 * Istio's {@code outlierDetection} as Envoy runs it (consecutive 5xx and consecutive gateway
 * failures only; Istio turns success-rate ejection off):
 *
 * <ul>
 *   <li>Each response is counted on the request path: a 5xx (a connect failure counts as 503, since
 *       Istio does not split local-origin errors) adds to the 5xx run and, for 502/503/504, to the
 *       gateway run; any other status ends both runs. A run reaching its threshold asks for an
 *       ejection, which the runtime carries out on its own thread.
 *   <li>An ejection happens only while {@code 100 * (ejected + 1) / hosts <= maxEjectionPercent}:
 *       with the default 10%, fewer than ten endpoints means no ejection at all, as in Envoy.
 *   <li>An ejected endpoint returns at the first sweep (every {@code interval}) after
 *       {@code min(baseEjectionTime * backoff, max(300s, baseEjectionTime))}; the backoff grows by
 *       one per ejection and shrinks by one per sweep that finds the endpoint back for at least an
 *       interval.
 *   <li>A passing active health check returns an ejected endpoint at once (Envoy's
 *       {@code successful_active_health_check_uneject_host}, on by default).
 * </ul>
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/common/upstream/outlier_detection_impl.cc">
 *     Envoy outlier_detection_impl.cc</a>
 */
final class OutlierDetector {
  static final int CONSECUTIVE_5XX = 1;
  static final int CONSECUTIVE_GATEWAY = 2;
  /** Envoy's default {@code max_ejection_time}; Istio does not set it. */
  static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);

  private final OutlierDetection config;
  private final long baseNanos;
  private final long maxNanos;
  private final long intervalNanos;

  OutlierDetector(OutlierDetection config) {
    this.config = config;
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.maxNanos = Math.max(DEFAULT_MAX_EJECTION_TIME.toNanos(), baseNanos);
    this.intervalNanos = config.interval().toNanos();
  }

  long intervalNanos() {
    return intervalNanos;
  }

  /**
   * Counts one result on the request path; returns the runs that just reached their threshold
   * ({@link #CONSECUTIVE_5XX}, {@link #CONSECUTIVE_GATEWAY}), 0 when none.
   */
  int record(EndpointStats stats, int status) {
    int code = status;
    int triggered = 0;
    if (code >= 500 && code <= 599) {
      if (code == 502 || code == 503 || code == 504) {
        if (stats.consecutiveGateway.incrementAndGet() == config.consecutiveGatewayErrors()) {
          triggered |= CONSECUTIVE_GATEWAY;
        }
      } else {
        stats.consecutiveGateway.set(0);
      }
      if (stats.consecutive5xx.incrementAndGet() == config.consecutive5xxErrors()) {
        triggered |= CONSECUTIVE_5XX;
      }
    } else {
      stats.consecutive5xx.set(0);
      stats.consecutiveGateway.set(0);
    }
    return triggered;
  }

  /**
   * Handles runs that reached their threshold (under the runtime's lock): ejects the host when
   * the ejection cap allows, then restarts the runs that fired.
   *
   * @return whether the host was ejected
   */
  boolean onConsecutiveErrors(HostState host, EndpointStats stats, int triggered, long now,
      int hostCount, int ejectedNow) {
    if (host.ejected) {
      return false;
    }
    boolean ejected = false;
    double percent = 100.0 * (ejectedNow + 1) / hostCount;
    if (percent <= config.maxEjectionPercent()) {
      host.ejected = true;
      host.ejectedAtNanos = now;
      if ((long) host.ejectionBackoff * baseNanos < maxNanos + baseNanos) {
        host.ejectionBackoff++;
      }
      stats.ejections.increment();
      ejected = true;
    }
    if ((triggered & CONSECUTIVE_5XX) != 0) {
      stats.consecutive5xx.set(0);
    }
    if ((triggered & CONSECUTIVE_GATEWAY) != 0) {
      stats.consecutiveGateway.set(0);
    }
    return ejected;
  }

  /** The time {@code host} stays ejected, from its ejection. */
  long ejectionNanos(HostState host) {
    return Math.min(baseNanos * host.ejectionBackoff, maxNanos);
  }

  /**
   * The interval sweep: returns hosts whose time is up, and lowers the backoff of hosts that
   * have stayed in for an interval.
   *
   * @return whether any host returned
   */
  boolean sweep(Collection<HostState> hosts, long now, ClusterStats stats) {
    boolean changed = false;
    for (HostState host : hosts) {
      if (host.ejected && ejectionNanos(host) <= now - host.ejectedAtNanos) {
        uneject(host, now, stats.of(host.address));
        changed = true;
      }
    }
    for (HostState host : hosts) {
      if (!host.ejected && host.unejectedOnce && now - host.unejectedAtNanos >= intervalNanos
          && host.ejectionBackoff > 0) {
        host.ejectionBackoff--;
      }
    }
    return changed;
  }

  void uneject(HostState host, long now, EndpointStats stats) {
    host.ejected = false;
    host.unejectedOnce = true;
    host.unejectedAtNanos = now;
    if (stats != null) {
      stats.consecutive5xx.set(0);
      stats.consecutiveGateway.set(0);
    }
  }
}
