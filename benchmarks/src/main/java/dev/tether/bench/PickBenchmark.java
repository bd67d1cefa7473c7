package dev.tether.bench;

import dev.tether.api.Endpoint;
import dev.tether.api.LoadBalancerType;
import dev.tether.core.HostTable;
import dev.tether.core.Routing;
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
 * Choosing an endpoint for a hash that is already known: what every hashed request pays after
 * its policies ran. {@link #choose} goes through the routing snapshot (priority choice, then the
 * table), as the balancer does; {@link #tablePick} asks the table alone, to tell the two costs
 * apart.
 *
 * <p>Hashes are random and cycle through {@value BenchmarkFixtures#INPUTS} values, so the lookups
 * touch the table the way independent requests do instead of hitting one cached slot. Both must
 * allocate nothing: run with {@code -prof gc} and read {@code gc.alloc.rate.norm}.
 *
 * <p>Tables are built with the defaults a deployment gets: Maglev at M = 65537, the ring at
 * {@code minimumRingSize} 1024 (so 1000 endpoints give a ring of 2000 entries, as in Envoy).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class PickBenchmark {
  @Param({"RING_HASH", "MAGLEV"})
  public LoadBalancerType loadBalancer;

  @Param({"10", "100", "1000"})
  public int endpoints;

  private Routing snapshot;
  private HostTable table;
  private long[] hashes;
  private int next;

  @Setup
  public void setUp() {
    snapshot = BenchmarkFixtures.routing(
        BenchmarkFixtures.config(loadBalancer, endpoints, Map.of()));
    table = snapshot.tableOf(snapshot.endpoints().get(0));
    hashes = BenchmarkFixtures.randomHashes(0x7e7e7e7eL);
    if (snapshot.choose(hashes[0], 0) == null) {
      throw new IllegalStateException("no endpoint chosen: the benchmark would measure nothing");
    }
  }

  @Benchmark
  public Endpoint choose() {
    return snapshot.choose(hashes[next++ & BenchmarkFixtures.INPUT_MASK], 0);
  }

  @Benchmark
  public Endpoint tablePick() {
    return table.pick(hashes[next++ & BenchmarkFixtures.INPUT_MASK], 0);
  }
}
