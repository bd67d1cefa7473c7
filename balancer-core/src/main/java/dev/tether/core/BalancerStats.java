package dev.tether.core;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The request path's counters: per endpoint address ({@link EndpointStats}) and for the whole
 * balancer (what has no endpoint: strict rejections, invalid session values, no healthy
 * upstream), plus the requests in flight. Per-endpoint entries are created and dropped only when
 * the endpoint set changes, so the request path does a lookup and never allocates; a request to
 * an address that has just left the set is not counted.
 *
 * <p>Public for what reads them from outside the request path (JMX, tests); only the balancer
 * counts.
 */
public final class BalancerStats {
  private final ConcurrentHashMap<String, EndpointStats> perAddress = new ConcurrentHashMap<>();
  private final InFlight inFlight = new InFlight();
  final LongAdder strictRejections = new LongAdder();
  final LongAdder invalidSessionValues = new LongAdder();
  final LongAdder noHealthyUpstream = new LongAdder();
  final LongAdder pinnedSessionHits = new LongAdder();
  final LongAdder rePins = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder pendingOverflows = new LongAdder();
  final LongAdder retryOverflows = new LongAdder();
  /** Tunnels open now, over every endpoint (an endpoint that left keeps its own until closed). */
  final AtomicInteger openTunnels = new AtomicInteger();

  BalancerStats() {}

  /** The counters of {@code address}, or null when it is not a current endpoint. */
  public EndpointStats endpoint(String address) {
    return perAddress.get(address);
  }

  /** Requests to {@code address} started and not finished yet (tunnels included). */
  public int inFlight(String address) {
    return inFlight.of(address);
  }

  /** Requests started and not finished yet, over every endpoint. */
  public int inFlightTotal() {
    return inFlight.total();
  }

  /** Requests whose session value named a current endpoint that served them. */
  public long pinnedSessionHits() {
    return pinnedSessionHits.sum();
  }

  /** Responses that moved a session to another endpoint than the one it named. */
  public long rePins() {
    return rePins.sum();
  }

  /** Strict sessions answered 503 because the named endpoint could not serve. */
  public long strictRejections() {
    return strictRejections.sum();
  }

  /** Session values that could not be read. */
  public long invalidSessionValues() {
    return invalidSessionValues.sum();
  }

  /** Requests (or retries) that found no endpoint. */
  public long noHealthyUpstream() {
    return noHealthyUpstream.sum();
  }

  /** Retries routed (each one a host-selection attempt after the first). */
  public long retries() {
    return retries.sum();
  }

  /** Requests circuit breaking answered 503 overflow (Envoy's upstream_rq_pending_overflow). */
  public long pendingOverflows() {
    return pendingOverflows.sum();
  }

  /** Retries circuit breaking did not make (Envoy's upstream_rq_retry_overflow). */
  public long retryOverflows() {
    return retryOverflows.sum();
  }

  /** Tunnels open now, over every endpoint. */
  public int openTunnels() {
    return openTunnels.get();
  }

  InFlight inFlightCounters() {
    return inFlight;
  }

  /** Keeps counters for exactly {@code addresses}: new ones start at zero, others are dropped. */
  void retain(Collection<String> addresses) {
    Set<String> keep = new HashSet<>(addresses);
    perAddress.keySet().retainAll(keep);
    for (String address : keep) {
      perAddress.computeIfAbsent(address, a -> new EndpointStats());
    }
  }
}
