package dev.tether.core;

import dev.tether.api.HashFunction;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.TetherConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Table builds for 100 endpoints, the cost of every endpoint or health change, compared with
 * Envoy's own benchmark ({@code BM_MaglevLoadBalancerBuildTable/100} at M = 65537 and
 * {@code BM_RingHashLoadBalancerBuildRing/100/65536}). Normalisation is done once in setup,
 * as Envoy's benchmark also measures only the table.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BuildBenchmark {
  static final int ENDPOINTS = 100;
  static final int MAGLEV_TABLE_SIZE = 65_537;
  static final long RING_MINIMUM_SIZE = 65_536;

  private WeightedHosts weighted;

  @Setup
  public void setUp() {
    TetherConfig config = BenchmarkFixtures.config(LoadBalancerType.RING_HASH, ENDPOINTS, Map.of());
    weighted = BenchmarkFixtures.weighted(config);
  }

  @Benchmark
  public MaglevTable maglev() {
    return MaglevTable.build(weighted, MAGLEV_TABLE_SIZE);
  }

  @Benchmark
  public RingHashTable ring() {
    return RingHashTable.build(weighted, RING_MINIMUM_SIZE, TetherConfig.DEFAULT_MAXIMUM_RING_SIZE,
        HashFunction.XX_HASH);
  }
}
