package dev.tether.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Istio's {@code outlierDetection}: eject an endpoint after consecutive errors, for
 * {@code baseEjectionTime} times the number of times it has been ejected.
 *
 * <p>Whether it is on is a field of its own rather than a null configuration: Istio turns it on
 * by the presence of the block, and with it on the panic threshold becomes
 * {@code minHealthPercent}, even when both error thresholds are 0.
 *
 * @param enabled whether outlier detection runs at all ({@link #OFF}: no)
 * @param consecutive5xxErrors 5xx answers (and connect failures) in a row that eject; 0 disables
 * @param consecutiveGatewayErrors 502/503/504 (and connect failures) in a row that eject; 0
 *     disables
 * @param interval how often ejections are swept
 * @param baseEjectionTime the ejection time for a first ejection
 * @param maxEjectionPercent the most endpoints, in percent, that may be ejected at once
 * @param minHealthPercent the panic threshold while outlier detection is on: below this share of
 *     healthy endpoints the balancer uses all endpoints, ejected or not (Istio sets Envoy's
 *     {@code healthy_panic_threshold} from it, so its default 0 disables panic)
 */
public record OutlierDetection(
    boolean enabled, int consecutive5xxErrors, int consecutiveGatewayErrors, Duration interval,
    Duration baseEjectionTime, int maxEjectionPercent, int minHealthPercent) {

  /** Istio's defaults (consecutive 5xx 5, interval 10s, base ejection 30s, max 10%), on. */
  public static final OutlierDetection ISTIO_DEFAULTS =
      new OutlierDetection(true, 5, 0, Duration.ofSeconds(10), Duration.ofSeconds(30), 10, 0);

  /** No outlier detection; the other fields are Istio's defaults, unused. */
  public static final OutlierDetection OFF = new OutlierDetection(false,
      ISTIO_DEFAULTS.consecutive5xxErrors, ISTIO_DEFAULTS.consecutiveGatewayErrors,
      ISTIO_DEFAULTS.interval, ISTIO_DEFAULTS.baseEjectionTime, ISTIO_DEFAULTS.maxEjectionPercent,
      ISTIO_DEFAULTS.minHealthPercent);

  public OutlierDetection {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
  }
}
