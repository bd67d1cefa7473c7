package dev.tether.core;

import dev.tether.api.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Maglev (Eisenbud et al., NSDI 2016, pseudocode listing 1) with Envoy's weighting: hosts sorted
 * by hash key so that the table does not depend on the order they were listed in; each host's
 * permutation starts at {@code XXH64(key, 0) mod M} and steps by {@code XXH64(key, 1) mod (M-1) +
 * 1}; a host of weight {@code w} takes a turn in fill round {@code i} only while {@code i * w} has
 * caught up with its running target, which grows by the largest weight per slot taken.
 *
 * @see <a href="https://research.google/pubs/pub44824/">Maglev: A Fast and Reliable Software
 *     Network Load Balancer</a>
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/extensions/load_balancing_policies/maglev/maglev_lb.cc">
 *     Envoy maglev_lb.cc</a>
 */
final class MaglevTable implements HostTable {
  private final Endpoint[] hosts;
  private final int[] table;
  private final long tableSize;

  private MaglevTable(Endpoint[] hosts, int[] table) {
    this.hosts = hosts;
    this.table = table;
    this.tableSize = table.length;
  }

  static MaglevTable build(WeightedHosts weighted, int tableSize) {
    int n = weighted.hosts().length;
    if (n == 0) {
      return new MaglevTable(new Endpoint[0], new int[0]);
    }
    byte[][] keys = new byte[n][];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      keys[i] = weighted.keys()[i].getBytes(StandardCharsets.UTF_8);
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));

    Endpoint[] hosts = new Endpoint[n];
    double[] weights = new double[n];
    long[] position = new long[n];
    long[] skip = new long[n];
    double[] target = new double[n];
    long m = tableSize;
    for (int s = 0; s < n; s++) {
      int i = order[s];
      hosts[s] = weighted.hosts()[i];
      weights[s] = weighted.weights()[i];
      byte[] key = keys[i];
      position[s] = Long.remainderUnsigned(XxHash64.hash(key, 0, key.length, 0), m);
      skip[s] = Long.remainderUnsigned(XxHash64.hash(key, 0, key.length, 1), m - 1) + 1;
    }

    double max = weighted.max();
    int[] table = new int[tableSize];
    Arrays.fill(table, -1);
    int filled = 0;
    for (long iteration = 1; filled < tableSize; iteration++) {
      for (int s = 0; s < n && filled < tableSize; s++) {
        if (iteration * weights[s] < target[s]) {
          continue;
        }
        target[s] += max;
        long c = position[s];
        while (table[(int) c] >= 0) {
          c += skip[s];
          if (c >= m) {
            c -= m;
          }
        }
        table[(int) c] = s;
        c += skip[s];
        if (c >= m) {
          c -= m;
        }
        position[s] = c;
        filled++;
      }
    }
    return new MaglevTable(hosts, table);
  }

  @Override
  public Endpoint pick(long hash, int attempt) {
    if (table.length == 0) {
      return null;
    }
    if (attempt > 0) {
      // Envoy: hash ^= ~0ULL - attempt + 1, a value with most bits set, to move far away.
      hash ^= -(long) attempt;
    }
    return hosts[table[(int) Long.remainderUnsigned(hash, tableSize)]];
  }

  @Override
  public int size() {
    return table.length;
  }

  @Override
  public int entries(Endpoint endpoint) {
    int count = 0;
    for (int slot : table) {
      if (hosts[slot].equals(endpoint)) {
        count++;
      }
    }
    return count;
  }

  /** The endpoint in slot {@code i}; for tests and the CLI. */
  Endpoint slot(int i) {
    return hosts[table[i]];
  }

  /** The same endpoint in every slot. */
  @Override
  public boolean equals(Object other) {
    if (!(other instanceof MaglevTable that) || that.table.length != table.length) {
      return false;
    }
    for (int i = 0; i < table.length; i++) {
      if (!slot(i).equals(that.slot(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int hash = table.length;
    for (int i = 0; i < table.length; i += 64) {
      hash = 31 * hash + slot(i).hashCode();
    }
    return hash;
  }
}
