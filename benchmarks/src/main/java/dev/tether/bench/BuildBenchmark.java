package dev.tether.bench;

import dev.tether.api.LoadBalancerType;
import dev.tether.core.HostTable;
import dev.tether.core.Inspection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * {@code BM_RingHashLoadBalancerBuildRing/100/65536}). Normalisation is done once in setup
 * ({@link Inspection#tableBuild}), as Envoy's benchmark also measures only the table: each
 * measured call is {@code MaglevTable.build} or {@code RingHashTable.build} on the same
 * normalised hosts.
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

  private Supplier<HostTable> maglev;
  private Supplier<HostTable> ring;

  @Setup
  public void setUp() {
    maglev = Inspection.tableBuild(BenchmarkFixtures.config(LoadBalancerType.MAGLEV, ENDPOINTS,
        Map.of("tableSize", Integer.toString(MAGLEV_TABLE_SIZE))));
    // The default maximum ring size and XX_HASH, as before.
    ring = Inspection.tableBuild(BenchmarkFixtures.config(LoadBalancerType.RING_HASH, ENDPOINTS,
        Map.of("minimumRingSize", Long.toString(RING_MINIMUM_SIZE))));
  }

  @Benchmark
  public HostTable maglev() {
    return maglev.get();
  }

  @Benchmark
  public HostTable ring() {
    return ring.get();
  }
}
