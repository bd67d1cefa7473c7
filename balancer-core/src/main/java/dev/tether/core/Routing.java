package dev.tether.core;

import dev.tether.api.Endpoint;
import dev.tether.api.TetherConfig;
import java.util.List;

/**
 * What one request reads to choose an endpoint by hash: the endpoints with their health, the
 * per-priority loads and one consistent-hash table per priority, built off the request path and
 * never changed afterwards. A balancer publishes a new one whenever its endpoint set or a health
 * changes, so the same instance means nothing changed.
 *
 * <p>Public for the questions tools ask without a running balancer: the CLI's {@code pick},
 * {@code table} and {@code simulate}, the benchmarks, and tests that compare what two replicas
 * built.
 */
public interface Routing {

  /** The routing a balancer of {@code config} builds for {@code endpoints} (no bounded loads). */
  static Routing of(TetherConfig config, List<Endpoint> endpoints) {
    return ClusterSnapshot.build(config, endpoints, new InFlight());
  }

  /**
   * The endpoint for an unsigned 64-bit hash on host-selection attempt {@code attempt} (0 for a
   * first request): the priority level chosen by Envoy's load arithmetic, then its table. Null
   * when no endpoint can serve.
   */
  Endpoint choose(long hash, int attempt);

  /** Every endpoint, with the health the balancer uses, in the order it was given. */
  List<Endpoint> endpoints();

  /** The table of the priority {@code endpoint} belongs to. */
  HostTable tableOf(Endpoint endpoint);
}
