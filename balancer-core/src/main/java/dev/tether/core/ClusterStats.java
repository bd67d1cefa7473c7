package dev.tether.core;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The balancer's counters: per endpoint address ({@link EndpointStats}) and for the whole
 * balancer (what has no endpoint: strict rejections, invalid session values, no healthy
 * upstream). Per-endpoint entries are created and dropped only when the endpoint set changes, so
 * the request path does a lookup and never allocates; a request to an address that has just left
 * the set is not counted.
 */
final class ClusterStats {
  private final ConcurrentHashMap<String, EndpointStats> perAddress = new ConcurrentHashMap<>();
  final LongAdder strictRejections = new LongAdder();
  final LongAdder invalidSessionValues = new LongAdder();
  final LongAdder noHealthyUpstream = new LongAdder();
  final LongAdder pinnedSessionHits = new LongAdder();
  final LongAdder rePins = new LongAdder();
  final LongAdder retries = new LongAdder();
  /** Tunnels open now, over every endpoint (an endpoint that left keeps its own until closed). */
  final java.util.concurrent.atomic.AtomicInteger openTunnels =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The counters of {@code address}, or null when it is not a current endpoint. */
  EndpointStats of(String address) {
    return perAddress.get(address);
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
