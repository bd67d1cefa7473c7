package dev.tether.core.cluster;

import dev.tether.api.OutlierDetection;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>The runs are counters per address, written without a lock; the ejection state is each
 * {@link HostState}'s, changed under the runtime's lock on the cluster scheduler.
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/common/upstream/outlier_detection_impl.cc">
 *     Envoy outlier_detection_impl.cc</a>
 */
final class OutlierDetector {
  private static final System.Logger LOG = System.getLogger(ClusterRuntime.class.getName());
  static final int CONSECUTIVE_5XX = 1;
  static final int CONSECUTIVE_GATEWAY = 2;
  /** Envoy's default {@code max_ejection_time}; Istio does not set it. */
  static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);

  private final OutlierDetection config;
  private final Scheduler scheduler;
  private final ClusterRuntime runtime;
  private final long baseNanos;
  private final long maxNanos;
  private final long intervalNanos;
  /** The error runs of every current address; entries come and go with the endpoint set. */
  private final ConcurrentHashMap<String, Runs> runs = new ConcurrentHashMap<>();

  /** Envoy's {@code consecutive_5xx_} and {@code consecutive_gateway_failure_} of one address. */
  private static final class Runs {
    final AtomicInteger consecutive5xx = new AtomicInteger();
    final AtomicInteger consecutiveGateway = new AtomicInteger();

    void reset() {
      consecutive5xx.set(0);
      consecutiveGateway.set(0);
    }
  }

  OutlierDetector(OutlierDetection config, Scheduler scheduler, ClusterRuntime runtime) {
    this.config = config;
    this.scheduler = scheduler;
    this.runtime = runtime;
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.maxNanos = Math.max(DEFAULT_MAX_EJECTION_TIME.toNanos(), baseNanos);
    this.intervalNanos = config.interval().toNanos();
  }

  boolean enabled() {
    return config.enabled();
  }

  long intervalNanos() {
    return intervalNanos;
  }

  /** Keeps runs for exactly {@code addresses}: new ones start at zero, others are dropped. */
  void retain(Collection<String> addresses) {
    Set<String> keep = new HashSet<>(addresses);
    runs.keySet().retainAll(keep);
    for (String address : keep) {
      runs.computeIfAbsent(address, a -> new Runs());
    }
  }

  /**
   * Request path: counts the result of an attempt at {@code address}; a run reaching its
   * threshold is handed to the cluster scheduler, which ejects. Takes no lock.
   */
  void result(String address, int status) {
    if (!config.enabled()) {
      return;
    }
    int triggered = record(address, status);
    if (triggered != 0) {
      scheduler.schedule(() -> consecutiveErrors(address, triggered), 0);
    }
  }

  /**
   * Counts one result; returns the runs that just reached their threshold
   * ({@link #CONSECUTIVE_5XX}, {@link #CONSECUTIVE_GATEWAY}), 0 when none or when the address
   * is not a current endpoint.
   */
  int record(String address, int status) {
    Runs run = runs.get(address);
    if (run == null) {
      return 0;
    }
    int triggered = 0;
    if (status >= 500 && status <= 599) {
      if (status == 502 || status == 503 || status == 504) {
        if (run.consecutiveGateway.incrementAndGet() == config.consecutiveGatewayErrors()) {
          triggered |= CONSECUTIVE_GATEWAY;
        }
      } else {
        run.consecutiveGateway.set(0);
      }
      if (run.consecutive5xx.incrementAndGet() == config.consecutive5xxErrors()) {
        triggered |= CONSECUTIVE_5XX;
      }
    } else {
      run.reset();
    }
    return triggered;
  }

  /** On the cluster scheduler: a run reached its threshold. */
  private void consecutiveErrors(String address, int triggered) {
    synchronized (runtime.lock()) {
      HostState host = runtime.current(address);
      if (host == null) {
        return;
      }
      Collection<HostState> hosts = runtime.hostStates();
      if (onConsecutiveErrors(host, triggered, scheduler.nanoTime(), hosts.size(),
          ejectedCount())) {
        LOG.log(Level.WARNING, runtime.sourceName() + ": ejected " + address + " for "
            + ejectionNanos(host) / 1_000_000 + "ms after consecutive "
            + ((triggered & CONSECUTIVE_5XX) != 0 ? "5xx errors" : "gateway errors"));
        runtime.rebuild();
      } else if (!host.isEjected()) {
        LOG.log(Level.DEBUG, runtime.sourceName() + ": not ejecting " + address
            + ": maxEjectionPercent " + config.maxEjectionPercent() + " reached");
      }
    }
  }

  /** Hosts ejected now (under the runtime's lock). */
  int ejectedCount() {
    int n = 0;
    for (HostState host : runtime.hostStates()) {
      n += host.isEjected() ? 1 : 0;
    }
    return n;
  }

  /**
   * Handles runs that reached their threshold (under the runtime's lock): ejects the host when
   * the ejection cap allows, then restarts the runs that fired.
   *
   * @return whether the host was ejected
   */
  boolean onConsecutiveErrors(HostState host, int triggered, long now, int hostCount,
      int ejectedNow) {
    if (host.isEjected()) {
      return false;
    }
    boolean ejected = false;
    double percent = 100.0 * (ejectedNow + 1) / hostCount;
    if (percent <= config.maxEjectionPercent()) {
      host.eject(now, baseNanos, maxNanos);
      ejected = true;
    }
    Runs run = runs.get(host.address());
    if (run != null) {
      if ((triggered & CONSECUTIVE_5XX) != 0) {
        run.consecutive5xx.set(0);
      }
      if ((triggered & CONSECUTIVE_GATEWAY) != 0) {
        run.consecutiveGateway.set(0);
      }
    }
    return ejected;
  }

  /** The time {@code host} stays ejected, from its ejection. */
  long ejectionNanos(HostState host) {
    return host.ejectionNanos(baseNanos, maxNanos);
  }

  /** The interval sweep, on the cluster scheduler: publishes the set when a host returned. */
  void sweep() {
    synchronized (runtime.lock()) {
      if (runtime.isClosed()) {
        return;
      }
      if (sweep(runtime.hostStates(), scheduler.nanoTime())) {
        List<String> back = new ArrayList<>();
        for (HostState host : runtime.hostStates()) {
          if (!host.isEjected()) {
            back.add(host.address());
          }
        }
        LOG.log(Level.INFO, runtime.sourceName() + ": ejection time over, endpoints back: "
            + back);
        runtime.rebuild();
      }
    }
  }

  /**
   * Returns hosts whose time is up, and lowers the backoff of hosts that have stayed in for an
   * interval.
   *
   * @return whether any host returned
   */
  boolean sweep(Collection<HostState> hosts, long now) {
    boolean changed = false;
    for (HostState host : hosts) {
      if (host.ejectionOver(now, baseNanos, maxNanos)) {
        uneject(host, now);
        changed = true;
      }
    }
    for (HostState host : hosts) {
      host.decayBackoff(now, intervalNanos);
    }
    return changed;
  }

  /**
   * A passing active check returns an ejected host at once (under the runtime's lock).
   *
   * @return whether {@code host} was ejected and returned
   */
  boolean unejectAfterPassingCheck(HostState host) {
    if (!config.enabled() || !host.isEjected()) {
      return false;
    }
    uneject(host, scheduler.nanoTime());
    return true;
  }

  /** Returns {@code host}; its runs start again from zero. */
  void uneject(HostState host, long now) {
    host.uneject(now);
    Runs run = runs.get(host.address());
    if (run != null) {
      run.reset();
    }
  }
}
