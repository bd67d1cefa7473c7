package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Endpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bucketed ring lookup against a plain model: for hash {@code h}, the first entry (in the
 * ring's sorted order) whose unsigned hash is {@code >= h}, found by a linear scan with
 * {@link Long#compareUnsigned}, else entry 0; retry attempt {@code a} moves {@code a} entries on.
 * Rings are built from chosen entries so that they hold what hashing rarely gives: one or two
 * entries, duplicate hashes, 0, -1 and the signed extremes, runs of hashes in one bucket.
 */
final class RingLookupTest {
  private static final long[] EDGES = {
    0L, 1L, -1L, -2L, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1
  };

  @Test
  void pickMatchesLinearModelOnRandomRings() {
    SplittableRandom random = new SplittableRandom(20261121L);
    for (int round = 0; round < 400; round++) {
      int size = ringSize(random, round);
      Ring ring = randomRing(random, size);
      assertSortedPermutationOfInput(ring);
      long[] probes = probes(random, ring.hashes);
      for (long hash : probes) {
        int attempt = random.nextInt(4) == 0 ? 1 + random.nextInt(2 * size + 3) : 0;
        assertThat(ring.table.pick(hash, attempt))
            .as("ring of %d, hash %s, attempt %d", size, Long.toUnsignedString(hash), attempt)
            .isSameAs(modelPick(ring.table, hash, attempt));
      }
    }
  }

  @Test
  void pickMatchesLinearModelOnLargeRingsWithCappedBuckets() {
    // Over 2^16 entries the index stops growing and a bucket holds several entries.
    SplittableRandom random = new SplittableRandom(7L);
    for (int size : new int[] {65_537, 300_001}) {
      Ring ring = randomRing(random, size);
      Endpoint[] sorted = new Endpoint[size];
      long[] sortedHashes = new long[size];
      for (int i = 0; i < size; i++) {
        sorted[i] = ring.table.hostAt(i);
        sortedHashes[i] = ring.table.hashAt(i);
      }
      for (long hash : probes(random, ring.hashes)) {
        int index = binaryModelIndex(sortedHashes, hash);
        assertThat(ring.table.pick(hash, 0))
            .as("ring of %d, hash %s", size, Long.toUnsignedString(hash))
            .isSameAs(sorted[index]);
      }
    }
  }

  @Test
  void singleEntryRingAnswersEveryHashAndAttemptWithItsEndpoint() {
    Endpoint only = Endpoint.of("10.0.0.1", 8080);
    for (long entryHash : EDGES) {
      RingHashTable table = RingHashTable.ofEntries(
          new Endpoint[] {only}, new long[] {entryHash}, new int[] {0});
      for (long hash : EDGES) {
        assertThat(table.pick(hash, 0)).isSameAs(only);
        assertThat(table.pick(hash, 3)).isSameAs(only);
      }
    }
  }

  @Test
  void twoEntryRingWrapsPastTheLargestUnsignedHash() {
    Endpoint low = Endpoint.of("10.0.0.1", 8080);
    Endpoint high = Endpoint.of("10.0.0.2", 8080);
    // -1 is the largest unsigned hash; Long.MAX_VALUE sits below every hash with the top bit.
    RingHashTable table = RingHashTable.ofEntries(
        new Endpoint[] {low, high}, new long[] {-1L, Long.MAX_VALUE}, new int[] {1, 0});

    assertThat(table.hashAt(0)).isEqualTo(Long.MAX_VALUE);
    assertThat(table.pick(0, 0)).isSameAs(low);
    assertThat(table.pick(Long.MAX_VALUE, 0)).isSameAs(low);
    assertThat(table.pick(Long.MIN_VALUE, 0)).isSameAs(high);
    assertThat(table.pick(-1L, 0)).isSameAs(high);
    assertThat(table.pick(-1L, 1)).isSameAs(low);
  }

  @Test
  void emptyRingPicksNothing() {
    RingHashTable table = RingHashTable.ofEntries(new Endpoint[0], new long[0], new int[0]);

    assertThat(table.pick(0, 0)).isNull();
    assertThat(table.pick(-1L, 2)).isNull();
  }

  @Test
  void singlePriorityLoadSendsEveryHashToPriorityZero() {
    // ClusterSnapshot.choose skips PriorityLoad.choose when there is one priority; this is the
    // fact that shortcut relies on, over healthy, degraded, panic and empty levels.
    SplittableRandom random = new SplittableRandom(3L);
    for (int total = 0; total <= 12; total++) {
      for (int healthy = 0; healthy <= total; healthy++) {
        for (int degraded = 0; healthy + degraded <= total; degraded++) {
          for (int threshold : new int[] {0, 50, 100}) {
            PriorityLoad load = PriorityLoad.compute(
                new int[] {total}, new int[] {healthy}, new int[] {degraded}, threshold);
            for (int probe = 0; probe < 64; probe++) {
              long hash = probe < EDGES.length ? EDGES[probe] : random.nextLong();
              assertThat(load.choose(hash)).isZero();
            }
          }
        }
      }
    }
  }

  private record Ring(RingHashTable table, Endpoint[] hosts, long[] hashes, int[] hostIndexes) {}

  private static int ringSize(SplittableRandom random, int round) {
    if (round < 100) {
      return 1 + round % 2;
    }
    return random.nextInt(3) == 0 ? 3 + random.nextInt(20) : 1 + random.nextInt(3000);
  }

  /**
   * Random entries over a few endpoints, mixing uniform hashes with edge values, duplicates of
   * earlier hashes, near neighbours and hashes crowded into one top-bits bucket.
   */
  private static Ring randomRing(SplittableRandom random, int size) {
    int hostCount = 1 + random.nextInt(Math.min(size, 50));
    Endpoint[] hosts = new Endpoint[hostCount];
    for (int h = 0; h < hostCount; h++) {
      hosts[h] = Endpoint.of("10.1." + (h / 250) + "." + (h % 250 + 1), 8080);
    }
    long crowd = random.nextLong();
    long[] hashes = new long[size];
    int[] hostIndexes = new int[size];
    for (int i = 0; i < size; i++) {
      int kind = random.nextInt(10);
      if (kind == 0) {
        hashes[i] = EDGES[random.nextInt(EDGES.length)];
      } else if (kind == 1 && i > 0) {
        hashes[i] = hashes[random.nextInt(i)];
      } else if (kind == 2 && i > 0) {
        hashes[i] = hashes[random.nextInt(i)] + (random.nextBoolean() ? 1 : -1);
      } else if (kind == 3) {
        hashes[i] = crowd ^ random.nextInt(1 << 12);
      } else {
        hashes[i] = random.nextLong();
      }
      hostIndexes[i] = random.nextInt(hostCount);
    }
    RingHashTable table = RingHashTable.ofEntries(hosts, hashes, hostIndexes);
    return new Ring(table, hosts, hashes, hostIndexes);
  }

  /** Every entry hash, its neighbours, the edges, and random hashes. */
  private static long[] probes(SplittableRandom random, long[] entryHashes) {
    int exact = Math.min(entryHashes.length, 400);
    long[] probes = new long[EDGES.length + 3 * exact + 200];
    int p = 0;
    for (long edge : EDGES) {
      probes[p++] = edge;
    }
    for (int i = 0; i < exact; i++) {
      long hash = entryHashes[random.nextInt(entryHashes.length)];
      probes[p++] = hash;
      probes[p++] = hash - 1;
      probes[p++] = hash + 1;
    }
    while (p < probes.length) {
      probes[p++] = random.nextLong();
    }
    return probes;
  }

  /** The table's order is the input's multiset of entries, sorted by unsigned hash. */
  private static void assertSortedPermutationOfInput(Ring ring) {
    int size = ring.hashes.length;
    assertThat(ring.table.size()).isEqualTo(size);
    List<String> expected = new ArrayList<>(size);
    List<String> actual = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      expected.add(Long.toUnsignedString(ring.hashes[i]) + "/" + ring.hosts[ring.hostIndexes[i]]);
      actual.add(Long.toUnsignedString(ring.table.hashAt(i)) + "/" + ring.table.hostAt(i));
      if (i > 0) {
        assertThat(Long.compareUnsigned(ring.table.hashAt(i - 1), ring.table.hashAt(i)))
            .isLessThanOrEqualTo(0);
      }
    }
    expected.sort(Comparator.naturalOrder());
    actual.sort(Comparator.naturalOrder());
    assertThat(actual).isEqualTo(expected);
  }

  /** The model: a linear scan over the ring's sorted entries. */
  private static Endpoint modelPick(RingHashTable table, long hash, int attempt) {
    int size = table.size();
    int index = 0;
    for (int i = 0; i < size; i++) {
      if (Long.compareUnsigned(table.hashAt(i), hash) >= 0) {
        index = i;
        break;
      }
    }
    return table.hostAt((int) ((index + (long) attempt) % size));
  }

  /** The model for large rings: an unsigned binary search, wrapping to 0. */
  private static int binaryModelIndex(long[] sortedHashes, long hash) {
    int low = 0;
    int high = sortedHashes.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (Long.compareUnsigned(sortedHashes[mid], hash) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low == sortedHashes.length ? 0 : low;
  }
}
