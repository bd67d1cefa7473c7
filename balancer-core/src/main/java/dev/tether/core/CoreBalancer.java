package dev.tether.core;

import dev.tether.api.Balancer;
import dev.tether.api.Endpoint;
import dev.tether.api.TetherConfig;
import java.time.Clock;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The request path's balancer, with the few handles its owner needs: the cluster runtime
 * publishes new endpoint sets into it and reads its counters and sealing state; tools route with
 * one that nothing keeps current. It owns no thread and no background work, and it knows nothing
 * of whoever drives it: the runtime holds it, never the other way round.
 */
public interface CoreBalancer extends Balancer {

  /**
   * A balancer routing over {@code endpoints}, sealing session values (when configured) with
   * nonces from the system's entropy.
   *
   * @param clock wall time, for session cookie and sealed value expiry
   * @param random the hash of requests that no hash policy hashes
   * @throws ConfigException naming {@code sessionSealKeys} when sealing is on and its key ring
   *     cannot be read
   */
  static CoreBalancer create(TetherConfig config, List<Endpoint> endpoints, Clock clock,
      LongSupplier random) {
    return create(config, endpoints, clock, random, NonceSource.secure());
  }

  /** As {@link #create(TetherConfig, List, Clock, LongSupplier)}, with the given nonces. */
  static CoreBalancer create(TetherConfig config, List<Endpoint> endpoints, Clock clock,
      LongSupplier random, NonceSource nonces) {
    return new DefaultBalancer(config, endpoints, clock, random, nonces);
  }

  /**
   * Replaces the endpoint set (discovery, health, drains): builds the new tables, then publishes
   * them in one write. Call off the request path, from one thread at a time.
   */
  void update(List<Endpoint> endpoints);

  /** The routing requests read now; the same instance until the next {@link #update}. */
  Routing routing();

  /** The request path's counters. */
  BalancerStats stats();

  /** Sealed session values: {@link SealingState#OFF} when sealing is off. */
  SealingState sealing();
}
