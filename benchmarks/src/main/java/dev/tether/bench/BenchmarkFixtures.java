package dev.tether.bench;

import dev.tether.Tether;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.TetherConfig;
import dev.tether.core.Routing;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Inputs shared by the benchmarks: configurations parsed through the same front door the
 * containers use, so a benchmark measures the tables a real deployment would build, and seeded
 * random hashes, so two runs measure the same lookups. The benchmarks live in a package of their
 * own and reach the core through its public API only ({@link Routing},
 * {@link dev.tether.core.Inspection}), as any client of the jar would.
 */
final class BenchmarkFixtures {
  /** Lookups cycle through this many precomputed inputs; a power of two so the index is a mask. */
  static final int INPUTS = 4096;

  static final int INPUT_MASK = INPUTS - 1;

  private BenchmarkFixtures() {}

  /**
   * {@code count} distinct healthy IPv4 endpoints, {@code 10.0.x.y:8080}, in a comma-separated
   * list as the {@code endpoints} key takes it.
   */
  static String endpointList(int count) {
    StringBuilder list = new StringBuilder(count * 16);
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        list.append(',');
      }
      list.append("10.0.").append(i / 250).append('.').append(i % 250 + 1).append(":8080");
    }
    return list.toString();
  }

  /** A configuration of {@code endpoints} endpoints plus the given keys, parsed by the core. */
  static TetherConfig config(LoadBalancerType type, int endpoints, Map<String, String> more) {
    Map<String, String> keys = new LinkedHashMap<>(more);
    keys.put("endpoints", endpointList(endpoints));
    keys.put("loadBalancer", type.name());
    return Tether.parseConfig(keys, Path.of(""));
  }

  /** The routing a balancer of this configuration would route with. */
  static Routing routing(TetherConfig config) {
    return Routing.of(config, config.endpoints());
  }

  /** {@link #INPUTS} seeded uniformly random unsigned 64-bit hashes. */
  static long[] randomHashes(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] hashes = new long[INPUTS];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = random.nextLong();
    }
    return hashes;
  }
}
