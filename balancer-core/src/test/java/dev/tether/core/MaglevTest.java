package dev.tether.core;

import static dev.tether.core.Fixtures.config;
import static dev.tether.core.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Endpoint;
import dev.tether.api.TetherConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class MaglevTest {

  @Test
  void slotsAreWithinOnePercentOfFairShareWhenTableIsLarge() {
    for (int n : new int[] {3, 10, 100, 600}) {
      TetherConfig config = config("endpoints", RingHashTest.endpoints(n, 1), "loadBalancer",
          "MAGLEV");
      assertThat(config.tableSize()).isGreaterThan(100L * n);
      HostTable table = snapshot(config, config.endpoints()).tableOf(config.endpoints().get(0));
      double fair = table.size() / (double) n;
      for (Endpoint e : config.endpoints()) {
        assertThat(Math.abs(table.entries(e) - fair) / fair).as("%s of %d", e, n)
            .isLessThanOrEqualTo(0.01);
      }
    }
  }

  @Test
  void tableIsIdenticalWhateverTheEndpointOrder() {
    List<String> specs = RingHashTest.specs(25);
    TetherConfig base = config("endpoints", String.join(",", specs), "loadBalancer", "MAGLEV",
        "tableSize", "1009");
    ClusterSnapshot reference = snapshot(base, base.endpoints());
    Random shuffler = new Random(9);
    for (int round = 0; round < 10; round++) {
      List<String> shuffled = new ArrayList<>(specs);
      Collections.shuffle(shuffled, shuffler);
      TetherConfig config = config("endpoints", String.join(",", shuffled), "loadBalancer",
          "MAGLEV", "tableSize", "1009");
      ClusterSnapshot other = snapshot(config, config.endpoints());
      for (int slot = 0; slot < 1009; slot++) {
        assertThat(other.choose(slot, 0).address()).isEqualTo(reference.choose(slot, 0).address());
      }
    }
  }

  @Test
  void matchesIndependentModelOnRandomWeightedSets() {
    SplittableRandom random = new SplittableRandom(11);
    int[] primes = {7, 13, 101, 1009, 65537};
    for (int round = 0; round < 30; round++) {
      int n = 1 + random.nextInt(20);
      List<String> specs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        specs.add("192.168." + random.nextInt(256) + "." + (i + 1) + ":" + (1 + random.nextInt(65535))
            + ";weight=" + (1 + random.nextInt(4))
            + (random.nextInt(3) == 0 ? ";hashKey=h" + random.nextInt(1000) + "x" + i : ""));
      }
      int m = primes[random.nextInt(primes.length)];
      TetherConfig config = config("endpoints", String.join(",", specs), "loadBalancer", "MAGLEV",
          "tableSize", Integer.toString(m));
      ClusterSnapshot snapshot = snapshot(config, config.endpoints());
      List<String> keys = new ArrayList<>();
      for (Endpoint e : config.endpoints()) {
        keys.add(ClusterSnapshot.hashKey(e, false));
      }
      Endpoint[] model = Models.maglev(config.endpoints(), keys, m);
      for (int probe = 0; probe < 300; probe++) {
        long hash = probe < 2 ? (probe == 0 ? -1L : Long.MIN_VALUE) : random.nextLong();
        int attempt = random.nextInt(3) == 0 ? 1 + random.nextInt(6) : 0;
        assertThat(snapshot.choose(hash, attempt)).isEqualTo(Models.maglevPick(model, hash, attempt));
      }
    }
  }

  @Test
  void removingAnEndpointKeepsMostOtherKeys() {
    List<String> specs = RingHashTest.specs(10);
    TetherConfig before = config("endpoints", String.join(",", specs), "loadBalancer", "MAGLEV");
    List<String> fewer = new ArrayList<>(specs);
    String removed = fewer.remove(4);
    TetherConfig after = config("endpoints", String.join(",", fewer), "loadBalancer", "MAGLEV");
    ClusterSnapshot a = snapshot(before, before.endpoints());
    ClusterSnapshot b = snapshot(after, after.endpoints());
    int movedOthers = 0;
    int slots = (int) before.tableSize();
    for (int slot = 0; slot < slots; slot++) {
      Endpoint was = a.choose(slot, 0);
      if (!was.address().equals(removed) && !was.address().equals(b.choose(slot, 0).address())) {
        movedOthers++;
      }
    }
    // Maglev trades a little disruption for balance; the paper reports a few percent.
    assertThat(movedOthers / (double) slots).isLessThan(0.05);
  }
}
