package dev.tether.bench;

import dev.tether.api.Endpoint;
import dev.tether.api.LoadBalancerType;
import dev.tether.core.HostTable;
import dev.tether.core.Inspection;
import dev.tether.core.Routing;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ring lookups measured on the very entries the core's ring holds ({@link Inspection#ringEntries}
 * copies them out): the core's bucketed {@code RingHashTable.pick} against the plain binary
 * search it replaced, and two variants kept for comparison. Each finds the entry a full unsigned lower bound finds (wrapped to 0 at the
 * end), which {@link #setUp} checks on every prepared hash before anything is timed, and returns
 * its endpoint through the same {@code hosts[hostIndexes[i]]} layout the core uses, so the
 * numbers compare directly with {@code PickBenchmark.tablePick} for {@code RING_HASH}.
 *
 * <ul>
 *   <li>{@link #core}: the core's own {@code RingHashTable.pick}: a bucket index on the top hash
 *       bits, then a binary search inside the one bucket.
 *   <li>{@link #branchy}: the reference, a binary search over the whole ring with one
 *       data-dependent branch per step (the core's lookup before the bucket index).
 *   <li>{@link #branchless}: the same search with a fixed trip count and the step folded into a
 *       conditional move, so random hashes cost no branch mispredictions.
 *   <li>{@link #bucketed}: the core's own bucket index (k = ceil(log2 of the ring size), capped at
 *       16 bits, which rings of these sizes stay below) with a linear scan of the bucket instead of
 *       a binary search.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RingLookupBenchmark {
  @Param({"10", "100", "1000"})
  public int endpoints;

  private HostTable ring;
  private long[] flipped;
  private Endpoint[] hosts;
  private int[] hostIndexes;
  private int[] bucketStart;
  private int bucketShift;
  private long[] hashes;
  private int next;

  @Setup
  public void setUp() {
    Routing snapshot = BenchmarkFixtures.routing(
        BenchmarkFixtures.config(LoadBalancerType.RING_HASH, endpoints, Map.of()));
    ring = snapshot.tableOf(snapshot.endpoints().get(0));
    Inspection.RingEntries entries = Inspection.ringEntries(ring);
    flipped = new long[ring.size()];
    hostIndexes = new int[ring.size()];
    Map<Endpoint, Integer> indexOf = new IdentityHashMap<>();
    for (int i = 0; i < flipped.length; i++) {
      flipped[i] = entries.hashes()[i] ^ Long.MIN_VALUE;
      Integer index = indexOf.putIfAbsent(entries.endpoints()[i], indexOf.size());
      hostIndexes[i] = index == null ? indexOf.size() - 1 : index;
    }
    hosts = new Endpoint[indexOf.size()];
    indexOf.forEach((host, index) -> hosts[index] = host);
    bucketShift = entries.bucketShift();
    bucketStart = entries.bucketStart();
    hashes = BenchmarkFixtures.randomHashes(0x7e7e7e7eL);
    for (long hash : hashes) {
      int expected = branchyIndex(hash);
      if (branchlessIndex(hash) != expected || bucketedIndex(hash) != expected
          || hosts[hostIndexes[expected]] != ring.pick(hash, 0)) {
        throw new IllegalStateException("lookups disagree for hash " + Long.toUnsignedString(hash));
      }
    }
  }

  @Benchmark
  public Endpoint core() {
    return ring.pick(hashes[next++ & BenchmarkFixtures.INPUT_MASK], 0);
  }

  @Benchmark
  public Endpoint branchy() {
    return endpointAt(branchyIndex(hashes[next++ & BenchmarkFixtures.INPUT_MASK]));
  }

  @Benchmark
  public Endpoint branchless() {
    return endpointAt(branchlessIndex(hashes[next++ & BenchmarkFixtures.INPUT_MASK]));
  }

  @Benchmark
  public Endpoint bucketed() {
    return endpointAt(bucketedIndex(hashes[next++ & BenchmarkFixtures.INPUT_MASK]));
  }

  private Endpoint endpointAt(int index) {
    return hosts[hostIndexes[index]];
  }

  private int branchyIndex(long hash) {
    long key = hash ^ Long.MIN_VALUE;
    long[] a = flipped;
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
    return low == a.length ? 0 : low;
  }

  private int branchlessIndex(long hash) {
    long key = hash ^ Long.MIN_VALUE;
    long[] a = flipped;
    int base = 0;
    int length = a.length;
    while (length > 1) {
      int half = length >>> 1;
      base = a[base + half - 1] < key ? base + half : base;
      length -= half;
    }
    int index = a[base] < key ? base + 1 : base;
    return index == a.length ? 0 : index;
  }

  private int bucketedIndex(long hash) {
    long key = hash ^ Long.MIN_VALUE;
    long[] a = flipped;
    int bucket = (int) (hash >>> bucketShift);
    int low = bucketStart[bucket];
    int high = bucketStart[bucket + 1];
    while (low < high && a[low] < key) {
      low++;
    }
    return low == a.length ? 0 : low;
  }
}
