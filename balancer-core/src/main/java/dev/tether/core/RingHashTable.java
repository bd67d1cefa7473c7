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
 * <p>The lookup does not binary-search the whole ring: a plain binary search on random hashes
 * mispredicts a branch on nearly every step, which cost about 55 ns for a 2,000-entry ring
 * (see {@code benchmarks/README.md}). Instead the build adds a bucket index on the top {@code k}
 * bits of the unsigned hash: {@code bucketStart[b]} is the first entry whose top bits are
 * {@code >= b}. The entry for a hash whose top bits are {@code b} therefore lies in
 * {@code [bucketStart[b], bucketStart[b + 1]]}, and only that span (about one entry) is searched.
 * {@code k} is about log2 of the ring size, capped at {@value #MAX_BUCKET_BITS} so that the index
 * stays at most 256 KiB even for an 8,388,608-entry ring, whose buckets then hold about 128
 * entries each and are binary-searched. The answer is the same entry a full search finds, so
 * parity with Envoy is unchanged.
 *
 * @see <a href="https://github.com/envoyproxy/envoy/blob/main/source/extensions/load_balancing_policies/ring_hash/ring_hash_lb.cc">
 *     Envoy ring_hash_lb.cc</a>
 */
final class RingHashTable implements HostTable {
  /** The most top hash bits the bucket index uses: 2^16 + 1 ints, 256 KiB. */
  static final int MAX_BUCKET_BITS = 16;

  private final Endpoint[] hosts;
  private final long[] flippedHashes;
  private final int[] hostIndexes;
  /** Entry range of each top-bits bucket; {@code 2^bits + 1} bounds, the last is the length. */
  private final int[] bucketStart;
  /** {@code 64 - bits}: an unsigned hash shifted right by it is its bucket. */
  private final int bucketShift;

  private RingHashTable(Endpoint[] hosts, long[] flippedHashes, int[] hostIndexes) {
    this.hosts = hosts;
    this.flippedHashes = flippedHashes;
    this.hostIndexes = hostIndexes;
    int bits = bucketBits(flippedHashes.length);
    this.bucketShift = 64 - bits;
    this.bucketStart = bucketIndex(flippedHashes, bits);
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

  /**
   * A ring of the given entries, in any order: entry {@code i} has unsigned hash
   * {@code hashes[i]} and endpoint {@code hosts[hostIndexes[i]]}. For tests that need rings
   * {@link #build} cannot produce (duplicate hashes, hashes at the extremes of the range).
   */
  static RingHashTable ofEntries(Endpoint[] hosts, long[] hashes, int[] hostIndexes) {
    if (hashes.length != hostIndexes.length) {
      throw new IllegalArgumentException("hashes: " + hashes.length
          + " (expected: as many as hostIndexes, " + hostIndexes.length + ")");
    }
    long[] flipped = new long[hashes.length];
    for (int i = 0; i < hashes.length; i++) {
      flipped[i] = hashes[i] ^ Long.MIN_VALUE;
    }
    int[] indexes = hostIndexes.clone();
    ParallelSort.sort(flipped, indexes);
    return new RingHashTable(hosts.clone(), flipped, indexes);
  }

  /** About log2 of the entry count (so about one entry per bucket), at least 1, at most the cap. */
  private static int bucketBits(int entries) {
    int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, entries - 1));
    return Math.max(1, Math.min(MAX_BUCKET_BITS, bits));
  }

  /** One pass over the sorted entries: the first entry of each bucket, then the length. */
  static int[] bucketIndex(long[] flippedHashes, int bits) {
    int buckets = 1 << bits;
    int shift = 64 - bits;
    int[] start = new int[buckets + 1];
    int entry = 0;
    for (int b = 0; b < buckets; b++) {
      while (entry < flippedHashes.length
          && ((flippedHashes[entry] ^ Long.MIN_VALUE) >>> shift) < b) {
        entry++;
      }
      start[b] = entry;
    }
    start[buckets] = flippedHashes.length;
    return start;
  }

  @Override
  public Endpoint pick(long hash, int attempt) {
    int n = flippedHashes.length;
    if (n == 0) {
      return null;
    }
    int index = lowerBound(hash);
    if (index == n) {
      index = 0;
    }
    if (attempt > 0) {
      index = (int) ((index + (long) attempt) % n);
    }
    return hosts[hostIndexes[index]];
  }

  /**
   * The first index whose unsigned hash is >= {@code hash}, or the length when none is. Entries
   * before the hash's bucket are smaller and entries after it larger, so the search covers the
   * bucket alone.
   */
  private int lowerBound(long hash) {
    long key = hash ^ Long.MIN_VALUE;
    long[] a = flippedHashes;
    int bucket = (int) (hash >>> bucketShift);
    int low = bucketStart[bucket];
    int high = bucketStart[bucket + 1];
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

  /** The endpoint of ring entry {@code i}, in ring order; for tests. */
  Endpoint hostAt(int i) {
    return hosts[hostIndexes[i]];
  }

  /** Copies of the lookup's arrays, for {@link Inspection#ringEntries}. */
  Inspection.RingEntries copyEntries() {
    long[] hashes = new long[flippedHashes.length];
    Endpoint[] endpoints = new Endpoint[flippedHashes.length];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = hashAt(i);
      endpoints[i] = hostAt(i);
    }
    return new Inspection.RingEntries(hashes, endpoints, bucketStart.clone(), bucketShift);
  }

  /** The same hashes in the same order, each with the same endpoint. */
  @Override
  public boolean equals(Object other) {
    if (!(other instanceof RingHashTable that)
        || !Arrays.equals(flippedHashes, that.flippedHashes)) {
      return false;
    }
    for (int i = 0; i < flippedHashes.length; i++) {
      if (!hostAt(i).equals(that.hostAt(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(flippedHashes);
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
