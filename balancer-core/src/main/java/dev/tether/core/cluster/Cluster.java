package dev.tether.core.cluster;

import dev.tether.api.Balancer;
import dev.tether.api.TetherConfig;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * The control plane's front door: a balancer whose endpoint set a runtime keeps current
 * (discovery, active health checks, outlier ejection, operator drains, JMX), and the one-shot DNS
 * resolution the CLI uses. Everything behind it is package-private.
 */
public final class Cluster {
  private Cluster() {}

  /**
   * A started balancer: a {@code dns:} source is resolved before this returns, and with health
   * checks on it waits briefly for their first round; background work runs on daemon threads
   * named {@code tether-<name>-...}, created only when needed. {@link Balancer#close()} stops it.
   */
  public static Balancer start(TetherConfig config, Clock clock, LongSupplier random) {
    return ClusterRuntime.start(config, ClusterEnvironment.production(config, clock, random));
  }

  /**
   * {@code config} with its DNS name resolved once into {@code endpoints}, for a tool that
   * answers one question and exits; other configurations come back unchanged.
   *
   * @throws dev.tether.core.ConfigException naming {@code endpoints} when the name does not
   *     resolve
   */
  public static TetherConfig resolvedOnce(TetherConfig config) {
    return DnsEndpoints.resolvedOnce(config, Resolver.of(config.endpointSource()));
  }
}
