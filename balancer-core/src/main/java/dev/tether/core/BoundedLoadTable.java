package dev.tether.core;

import dev.tether.api.Endpoint;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consistent hashing with bounded loads (Mirrokni et al., arXiv:1608.01350) as Envoy implements
 * {@code hash_balance_factor}: a host may hold at most {@code factor/100} times its weighted share
 * of the requests in flight (plus one); past that, hosts are probed in a pseudo-random order
 * seeded by the request hash (arXiv:1908.08762), the first under its bound wins, else the least
 * overloaded.
 */
final class BoundedLoadTable implements HostTable {
  private final HostTable inner;
  private final Endpoint[] hosts;
  private final double[] weights;
  private final AtomicInteger[] counters;
  private final InFlight inFlight;
  private final long factor;

  BoundedLoadTable(HostTable inner, WeightedHosts weighted, int factor, InFlight inFlight) {
    this.inner = inner;
    this.hosts = weighted.hosts().clone();
    this.weights = weighted.weights().clone();
    this.inFlight = inFlight;
    this.factor = factor;
    this.counters = new AtomicInteger[hosts.length];
    for (int i = 0; i < hosts.length; i++) {
      counters[i] = inFlight.counter(hosts[i].address());
    }
  }

  @Override
  public Endpoint pick(long hash, int attempt) {
    Endpoint chosen = inner.pick(hash, attempt);
    if (chosen == null) {
      return null;
    }
    long overall = inFlight.total() & 0xFFFFFFFFL;
    long totalSlots = ((overall + 1) * factor + 99) / 100 & 0xFFFFFFFFL;
    int chosenIndex = indexOf(chosen);
    double overload = overloadFactor(chosenIndex, totalSlots);
    if (overload <= 1.0) {
      return chosen;
    }
    int n = hosts.length;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Mt19937 random = new Mt19937(hash);
    Endpoint least = chosen;
    double leastOverload = overload;
    for (int i = 0; i < n; i++) {
      int j = random.uniform(n - i);
      int swap = order[i];
      order[i] = order[i + j];
      order[i + j] = swap;
      int k = order[i];
      if (k == chosenIndex) {
        continue;
      }
      double alternative = overloadFactor(k, totalSlots);
      if (alternative <= 1.0) {
        return hosts[k];
      }
      if (leastOverload > alternative) {
        least = hosts[k];
        leastOverload = alternative;
      }
    }
    return least;
  }

  private double overloadFactor(int index, long totalSlots) {
    long slots = Math.max((long) Math.ceil(totalSlots * weights[index]) & 0xFFFFFFFFL, 1L);
    return (double) counters[index].get() / slots;
  }

  private int indexOf(Endpoint endpoint) {
    for (int i = 0; i < hosts.length; i++) {
      if (hosts[i] == endpoint) {
        return i;
      }
    }
    for (int i = 0; i < hosts.length; i++) {
      if (hosts[i].equals(endpoint)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return inner.size();
  }

  @Override
  public int entries(Endpoint endpoint) {
    return inner.entries(endpoint);
  }
}
