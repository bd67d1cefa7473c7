package dev.tether.core;

import dev.tether.api.Endpoint;
import dev.tether.api.HashFunction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Envoy's ring hash (Ketama): each host gets entries hashed from {@code "<key>_<i>"} in proportion
 * to its normalised weight, the entries sorted by unsigned hash, and a request goes to the first
 * entry at or after its hash, wrapping to the first.
 *
 * <p>Hashes are stored with the sign bit flipped, so that the signed comparisons of the lookup
 * order them as unsigned values (a signed order puts every hash with the top bit first and
 * silently breaks parity with Envoy).
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/extensions/load_balancing_policies/ring_hash/ring_hash_lb.cc">
 *     Envoy ring_hash_lb.cc</a>
 */
final class RingHashTable implements HostTable {
  private final Endpoint[] hosts;
  private final long[] flippedHashes;
  private final int[] hostIndexes;

  private RingHashTable(Endpoint[] hosts, long[] flippedHashes, int[] hostIndexes) {
    this.hosts = hosts;
    this.flippedHashes = flippedHashes;
    this.hostIndexes = hostIndexes;
  }

  static RingHashTable build(
      WeightedHosts weighted, long minRingSize, long maxRingSize, HashFunction function) {
    if (weighted.isEmpty()) {
      return new RingHashTable(new Endpoint[0], new long[0], new int[0]);
    }
    double min = weighted.min();
    double scale = Math.min(Math.ceil(min * minRingSize) / min, (double) maxRingSize);
    int capacity = (int) Math.min(Integer.MAX_VALUE - 16, (long) Math.ceil(scale) + 1L);
    long[] hashes = new long[capacity];
    int[] indexes = new int[capacity];
    int count = 0;
    double current = 0;
    double target = 0;
    byte[] buffer = new byte[64];
    for (int h = 0; h < weighted.hosts().length; h++) {
      byte[] key = weighted.keys()[h].getBytes(StandardCharsets.UTF_8);
      if (buffer.length < key.length + 21) {
        buffer = new byte[key.length + 21];
      }
      System.arraycopy(key, 0, buffer, 0, key.length);
      buffer[key.length] = '_';
      int prefix = key.length + 1;
      target += scale * weighted.weights()[h];
      long i = 0;
      while (current < target) {
        int length = prefix + writeDecimal(i, buffer, prefix);
        long hash = function == HashFunction.MURMUR_HASH_2
            ? MurmurHash2.hash(buffer, 0, length, MurmurHash2.STD_HASH_SEED)
            : XxHash64.hash(buffer, 0, length, 0);
        if (count == hashes.length) {
          hashes = Arrays.copyOf(hashes, count + count / 2 + 1);
          indexes = Arrays.copyOf(indexes, hashes.length);
        }
        hashes[count] = hash ^ Long.MIN_VALUE;
        indexes[count] = h;
        count++;
        i++;
        current++;
      }
    }
    long[] sortedHashes = Arrays.copyOf(hashes, count);
    int[] sortedIndexes = Arrays.copyOf(indexes, count);
    ParallelSort.sort(sortedHashes, sortedIndexes);
    return new RingHashTable(weighted.hosts().clone(), sortedHashes, sortedIndexes);
  }

  @Override
  public Endpoint pick(long hash, int attempt) {
    int n = flippedHashes.length;
    if (n == 0) {
      return null;
    }
    int index = lowerBound(hash ^ Long.MIN_VALUE);
    if (index == n) {
      index = 0;
    }
    if (attempt > 0) {
      index = (int) ((index + (long) attempt) % n);
    }
    return hosts[hostIndexes[index]];
  }

  /** The first index whose flipped hash is >= {@code key}, or the length when none is. */
  private int lowerBound(long key) {
    long[] a = flippedHashes;
    int low = 0;
    int high = a.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (a[mid] < key) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  @Override
  public int size() {
    return flippedHashes.length;
  }

  @Override
  public int entries(Endpoint endpoint) {
    int count = 0;
    for (int index : hostIndexes) {
      if (hosts[index].equals(endpoint)) {
        count++;
      }
    }
    return count;
  }

  /** The unsigned hash of ring entry {@code i}, in ring order; for tests and the CLI. */
  long hashAt(int i) {
    return flippedHashes[i] ^ Long.MIN_VALUE;
  }

  private static int writeDecimal(long value, byte[] buffer, int at) {
    if (value == 0) {
      buffer[at] = '0';
      return 1;
    }
    int digits = 0;
    for (long v = value; v != 0; v /= 10) {
      digits++;
    }
    for (int d = digits - 1; d >= 0; d--) {
      buffer[at + d] = (byte) ('0' + (value % 10));
      value /= 10;
    }
    return digits;
  }
}
