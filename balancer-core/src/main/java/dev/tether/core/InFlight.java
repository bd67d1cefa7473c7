package dev.tether.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests in flight, per endpoint address and in total, as the containers report them; the
 * input of bounded-load hashing (Envoy's {@code rq_active} and {@code upstream_rq_active}).
 * Counters outlive table rebuilds because they are keyed by address.
 */
final class InFlight {
  InFlight() {}

  private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  AtomicInteger counter(String address) {
    return perAddress.computeIfAbsent(address, a -> new AtomicInteger());
  }

  void started(String address) {
    while (true) {
      AtomicInteger counter = counter(address);
      counter.incrementAndGet();
      if (perAddress.get(address) == counter) {
        total.incrementAndGet();
        return;
      }
      // retain() dropped this idle counter between the lookup and the increment: undo, retry.
      counter.decrementAndGet();
    }
  }

  void finished(String address) {
    AtomicInteger counter = perAddress.get(address);
    if (counter != null && counter.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0) {
      total.getAndUpdate(v -> v > 0 ? v - 1 : 0);
    }
  }

  int total() {
    return total.get();
  }

  /**
   * Drops the idle counters of addresses that left the endpoint set; a counter still in use stays
   * until its requests finish and a later change prunes it. A counter is only dropped at zero,
   * and {@link #started} re-checks after incrementing, so a request never counts on a dropped
   * counter and the total stays the sum of the counters.
   */
  void retain(java.util.Collection<String> addresses) {
    java.util.Set<String> keep = new java.util.HashSet<>(addresses);
    for (String address : perAddress.keySet()) {
      if (!keep.contains(address)) {
        perAddress.computeIfPresent(address, (a, counter) -> counter.get() == 0 ? null : counter);
      }
    }
  }

  int of(String address) {
    AtomicInteger counter = perAddress.get(address);
    return counter == null ? 0 : counter.get();
  }
}
