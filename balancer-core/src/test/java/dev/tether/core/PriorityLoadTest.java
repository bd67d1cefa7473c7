package dev.tether.core;

import static dev.tether.core.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Endpoint;
import dev.tether.api.TetherConfig;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class PriorityLoadTest {

  @Test
  void healthyPriorityTakesAllLoad() {
    PriorityLoad load = PriorityLoad.compute(new int[] {3, 3}, new int[] {3, 3}, new int[] {0, 0}, 50);
    assertThat(load.healthyLoad).containsExactly(100, 0);
    assertThat(load.panic).containsExactly(false, false);
  }

  @Test
  void partlyHealthyPrioritySpillsByOverprovisionedAvailability() {
    // 1 of 3 healthy: 140 * 1 / 3 = 46 percent stays on priority 0.
    PriorityLoad load = PriorityLoad.compute(new int[] {3, 2}, new int[] {1, 2}, new int[] {0, 0}, 50);
    assertThat(load.healthyLoad).containsExactly(46, 54);
    assertThat(load.choose(45)).isEqualTo(0);
    assertThat(load.choose(46)).isEqualTo(1);
  }

  @Test
  void everyPriorityInPanicSplitsByHostCount() {
    PriorityLoad load = PriorityLoad.compute(new int[] {3, 1}, new int[] {0, 0}, new int[] {0, 0}, 50);
    assertThat(load.panic).containsExactly(true, true);
    assertThat(load.healthyLoad).containsExactly(75, 25);
  }

  @Test
  void panicThresholdComparesHealthyPlusDegradedPercent() {
    PriorityLoad below = PriorityLoad.compute(new int[] {10}, new int[] {2}, new int[] {2}, 50);
    assertThat(below.panic).containsExactly(true);
    PriorityLoad atThreshold = PriorityLoad.compute(new int[] {10}, new int[] {3}, new int[] {2}, 50);
    assertThat(atThreshold.panic).containsExactly(false);
  }

  @Test
  void fullAvailabilityNeverPanicsEvenAboveTheRawThreshold() {
    // 3 of 4 healthy is 75 %, under a threshold of 80, but 140 * 3 / 4 caps availability at 100.
    PriorityLoad load = PriorityLoad.compute(new int[] {4}, new int[] {3}, new int[] {0}, 80);
    assertThat(load.panic).containsExactly(false);
  }

  @Test
  void priorityOneServesWhenPriorityZeroIsDown() {
    TetherConfig config = config("endpoints",
        "10.0.0.1:80;health=UNHEALTHY,10.0.0.2:80;health=UNHEALTHY,10.0.1.1:80;priority=1,10.0.1.2:80;priority=1");
    ClusterSnapshot snapshot = Fixtures.snapshot(config, config.endpoints());
    SplittableRandom random = new SplittableRandom(2);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      seen.add(snapshot.choose(random.nextLong(), 0).address());
    }
    assertThat(seen).containsExactlyInAnyOrder("10.0.1.1:80", "10.0.1.2:80");
  }

  @Test
  void localityWeightsScaleHostShares() {
    TetherConfig config = config("endpoints",
        "10.0.0.1:80;locality=a,10.0.0.2:80;locality=a,10.0.1.1:80;locality=b,10.0.2.1:80;locality=c",
        "localityWeights", "a=1,b=2,c=0", "minimumRingSize", "3000");
    WeightedHosts weighted = ClusterSnapshot.normalize(config, config.endpoints(), false);
    assertThat(weighted.hosts()).extracting(Endpoint::address)
        .containsExactly("10.0.0.1:80", "10.0.0.2:80", "10.0.1.1:80");
    assertThat(weighted.weights()).containsExactly(1.0 / 3 / 2, 1.0 / 3 / 2, 2.0 / 3);
  }
}
