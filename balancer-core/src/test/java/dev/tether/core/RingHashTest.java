package dev.tether.core;

import static dev.tether.core.Fixtures.config;
import static dev.tether.core.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tether.api.Endpoint;
import dev.tether.api.TetherConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class RingHashTest {

  @Test
  void equalHostsGetCeilingOfMinimumOverCountEntriesEach() {
    assertThat(ringSize(endpoints(3, 1))).isEqualTo(1026);
    assertThat(ringSize(endpoints(1000, 1))).isEqualTo(2000);
    assertThat(ringSize(endpoints(1, 1))).isEqualTo(1024);
  }

  @Test
  void matchesIndependentModelOnRandomEndpointSetsAndHashes() {
    SplittableRandom random = new SplittableRandom(42);
    for (int round = 0; round < 40; round++) {
      int n = 1 + random.nextInt(30);
      List<String> specs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        specs.add("10." + random.nextInt(256) + "." + random.nextInt(256) + "." + (i + 1) + ":"
            + (1024 + random.nextInt(60000)) + ";weight=" + (1 + random.nextInt(5))
            + (random.nextInt(4) == 0 ? ";hashKey=k" + random.nextInt(1_000_000) : ""));
      }
      long minRing = 1 + random.nextInt(3000);
      TetherConfig config = config("endpoints", String.join(",", specs), "minimumRingSize",
          Long.toString(minRing), "maximumRingSize", Long.toString(minRing + random.nextInt(5000)));
      ClusterSnapshot snapshot = snapshot(config, config.endpoints());
      List<String> keys = new ArrayList<>();
      for (Endpoint e : config.endpoints()) {
        keys.add(ClusterSnapshot.hashKey(e, false));
      }
      List<Models.Entry> model = Models.ring(config.endpoints(), keys, config.minimumRingSize(),
          config.maximumRingSize());
      assertThat(snapshot.tableOf(config.endpoints().get(0)).size()).isEqualTo(model.size());
      for (int probe = 0; probe < 200; probe++) {
        long hash = probe < 4 ? new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}[probe]
            : random.nextLong();
        int attempt = random.nextInt(4) == 0 ? random.nextInt(5) : 0;
        assertThat(snapshot.choose(hash, attempt))
            .as("hash %s attempt %d", Long.toUnsignedString(hash), attempt)
            .isEqualTo(Models.ringPick(model, hash, attempt));
      }
    }
  }

  @Test
  void hashesWithTopBitSetLandAfterSmallerUnsignedEntries() {
    TetherConfig config = config("endpoints", Fixtures.hosts(90, 95), "minimumRingSize", "12");
    ClusterSnapshot snapshot = snapshot(config, config.endpoints());
    RingHashTable ring = (RingHashTable) snapshot.tableOf(config.endpoints().get(0));
    for (int i = 1; i < ring.size(); i++) {
      assertThat(Long.compareUnsigned(ring.hashAt(i - 1), ring.hashAt(i))).isLessThanOrEqualTo(0);
    }
    // A hash just above an entry with the top bit set goes to the next entry, not to entry 0.
    for (int i = 0; i < ring.size() - 1; i++) {
      long h = ring.hashAt(i);
      if (h < 0) {
        assertThat(snapshot.choose(h + 1, 0)).isEqualTo(snapshot.choose(ring.hashAt(i + 1), 0));
      }
    }
  }

  @Test
  void removingOneOfHundredEndpointsMovesOnlyItsKeys() {
    // 100 and 99 hosts both get ceil(1024 / N) = 11 entries each (IEEE rounding of the running
    // target gives one of the 99 a twelfth, as in Envoy), so nearly only the removed host's keys
    // move: about 1/N of all.
    double moved = removalMovedFraction(100, 37, true);
    assertThat(moved).isCloseTo(1.0 / 100, within(0.004));
  }

  @Test
  void removingOneOfSixEndpointsMovesItsKeysAndRebalancesTheRest() {
    // 6 hosts get 171 entries each, 5 get 205: the new entries take keys from their neighbours,
    // exactly as in Envoy. Every key of the removed host moves; others move only to new entries.
    double moved = removalMovedFraction(6, 2, false);
    assertThat(moved).isBetween(1.0 / 6 - 0.03, 2.0 / 6);
  }

  private static double removalMovedFraction(int n, int removedIndex, boolean onlyItsKeys) {
    List<String> all = specs(n);
    TetherConfig before = config("endpoints", String.join(",", all));
    List<String> fewer = new ArrayList<>(all);
    String removed = fewer.remove(removedIndex);
    TetherConfig after = config("endpoints", String.join(",", fewer));
    ClusterSnapshot a = snapshot(before, before.endpoints());
    ClusterSnapshot b = snapshot(after, after.endpoints());
    SplittableRandom random = new SplittableRandom(1);
    int moved = 0;
    int movedOthers = 0;
    int keys = 200_000;
    for (int i = 0; i < keys; i++) {
      long hash = random.nextLong();
      Endpoint was = a.choose(hash, 0);
      Endpoint now = b.choose(hash, 0);
      if (was.address().equals(removed)) {
        assertThat(now.address()).isNotEqualTo(removed);
      }
      if (!was.address().equals(now.address())) {
        moved++;
        if (!was.address().equals(removed)) {
          movedOthers++;
        }
      }
    }
    if (onlyItsKeys) {
      assertThat(movedOthers / (double) keys).isLessThan(0.002);
    }
    return moved / (double) keys;
  }

  @Test
  void weightsAreHonoured() {
    TetherConfig config = config("endpoints",
        "10.0.0.1:80;weight=1,10.0.0.2:80;weight=2,10.0.0.3:80;weight=3", "minimumRingSize", "60000");
    ClusterSnapshot snapshot = snapshot(config, config.endpoints());
    HostTable table = snapshot.tableOf(config.endpoints().get(0));
    for (int i = 0; i < 3; i++) {
      double share = table.entries(config.endpoints().get(i)) / (double) table.size();
      assertThat(share).isCloseTo((i + 1) / 6.0, within(0.001));
    }
    int[] counts = new int[3];
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 60_000; i++) {
      counts[config.endpoints().indexOf(snapshot.choose(random.nextLong(), 0))]++;
    }
    assertThat(counts[2] / 60_000.0).isCloseTo(0.5, within(0.05));
    assertThat(counts[0] / 60_000.0).isCloseTo(1 / 6.0, within(0.05));
  }

  @Test
  void maximumRingSizeCapsTheRing() {
    // Weights 1:100 would need 101 entries for the light host to get one; the cap wins.
    TetherConfig config = config("endpoints", "10.0.0.1:80;weight=1,10.0.0.2:80;weight=100",
        "minimumRingSize", "6", "maximumRingSize", "6");
    assertThat(snapshot(config, config.endpoints()).tableOf(config.endpoints().get(0)).size())
        .isEqualTo(6);
  }

  @Test
  void murmurRingUsesMurmurEntryHashes() {
    TetherConfig config = config("endpoints", "127.0.0.1:90", "minimumRingSize", "3",
        "hashFunction", "MURMUR_HASH_2");
    RingHashTable ring =
        (RingHashTable) snapshot(config, config.endpoints()).tableOf(config.endpoints().get(0));
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      expected.add(MurmurHash2.hash("127.0.0.1:90_" + i));
    }
    expected.sort(Long::compareUnsigned);
    for (int i = 0; i < 3; i++) {
      assertThat(ring.hashAt(i)).isEqualTo(expected.get(i));
    }
  }

  @Test
  void hostnameHashingUsesTheHostWithoutPort() {
    TetherConfig config = config("endpoints", "web-1:8080,web-2:8080", "minimumRingSize", "2",
        "useHostnameForHashing", "true");
    RingHashTable ring =
        (RingHashTable) snapshot(config, config.endpoints()).tableOf(config.endpoints().get(0));
    List<Long> expected = new ArrayList<>(List.of(XxHash64.hash("web-1_0"), XxHash64.hash("web-2_0")));
    expected.sort(Long::compareUnsigned);
    assertThat(ring.hashAt(0)).isEqualTo(expected.get(0));
    assertThat(ring.hashAt(1)).isEqualTo(expected.get(1));
  }

  private static int ringSize(String endpoints) {
    TetherConfig config = config("endpoints", endpoints);
    return snapshot(config, config.endpoints()).tableOf(config.endpoints().get(0)).size();
  }

  static String endpoints(int n, int weight) {
    return String.join(",", specs(n));
  }

  static List<String> specs(int n) {
    List<String> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add("10.0." + (i / 250) + "." + (i % 250 + 1) + ":8080");
    }
    return list;
  }
}
