package dev.tether.core;

import dev.tether.api.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Plain, slow re-statements of the spec's algorithms, written from the text without the
 * production code's tricks (flipped sign bits, incremental permutations, parallel sorts), to
 * compare against on random inputs.
 */
final class Models {
  private Models() {}

  record Entry(long hash, Endpoint endpoint) {}

  /** Spec section 4, for equal-priority healthy hosts with weights. */
  static List<Entry> ring(List<Endpoint> hosts, List<String> keys, long minRing, long maxRing) {
    long sum = 0;
    for (Endpoint e : hosts) {
      sum += e.weight();
    }
    double[] w = new double[hosts.size()];
    double minW = 1.0;
    for (int i = 0; i < hosts.size(); i++) {
      w[i] = hosts.get(i).weight() * 1.0 / sum;
      minW = Math.min(minW, w[i]);
    }
    double scale = Math.min(Math.ceil(minW * minRing) / minW, (double) maxRing);
    List<Entry> entries = new ArrayList<>();
    double current = 0;
    double target = 0;
    for (int i = 0; i < hosts.size(); i++) {
      target += scale * w[i];
      for (int n = 0; current < target; n++, current++) {
        entries.add(new Entry(XxHash64.hash(keys.get(i) + "_" + n), hosts.get(i)));
      }
    }
    entries.sort(Comparator.comparing(Entry::hash, Long::compareUnsigned));
    return entries;
  }

  static Endpoint ringPick(List<Entry> ring, long hash, int attempt) {
    int index = 0;
    while (index < ring.size() && Long.compareUnsigned(ring.get(index).hash(), hash) < 0) {
      index++;
    }
    if (index == ring.size()) {
      index = 0;
    }
    return ring.get((index + attempt) % ring.size()).endpoint();
  }

  /** Spec section 5. */
  static Endpoint[] maglev(List<Endpoint> hosts, List<String> keys, int m) {
    int n = hosts.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> java.util.Arrays.compareUnsigned(
        keys.get(a).getBytes(StandardCharsets.UTF_8), keys.get(b).getBytes(StandardCharsets.UTF_8)));
    long sum = 0;
    for (Endpoint e : hosts) {
      sum += e.weight();
    }
    double maxW = 0;
    for (Endpoint e : hosts) {
      maxW = Math.max(maxW, e.weight() * 1.0 / sum);
    }
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    double[] targetWeight = new double[n];
    for (int s = 0; s < n; s++) {
      String key = keys.get(order[s]);
      offset[s] = Long.remainderUnsigned(XxHash64.hash(key, 0), m);
      skip[s] = Long.remainderUnsigned(XxHash64.hash(key, 1), m - 1) + 1;
    }
    Endpoint[] table = new Endpoint[m];
    int taken = 0;
    for (int iteration = 1; taken < m; iteration++) {
      for (int s = 0; s < n && taken < m; s++) {
        double w = hosts.get(order[s]).weight() * 1.0 / sum;
        if (iteration * w < targetWeight[s]) {
          continue;
        }
        targetWeight[s] += maxW;
        int c = (int) ((offset[s] + skip[s] * next[s]) % m);
        while (table[c] != null) {
          next[s]++;
          c = (int) ((offset[s] + skip[s] * next[s]) % m);
        }
        table[c] = hosts.get(order[s]);
        next[s]++;
        taken++;
      }
    }
    return table;
  }

  static Endpoint maglevPick(Endpoint[] table, long hash, int attempt) {
    if (attempt > 0) {
      hash ^= (0xFFFFFFFFFFFFFFFFL - attempt + 1);
    }
    return table[(int) Long.remainderUnsigned(hash, table.length)];
  }
}
