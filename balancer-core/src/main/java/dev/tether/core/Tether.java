package dev.tether.core;

import dev.tether.api.Balancer;
import dev.tether.api.Proxy;
import dev.tether.exchange.Exchanges;
import dev.tether.api.TetherConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The core's front door: parse a configuration, build a balancer. Everything behind it is
 * package-private, so both containers reach the same behaviour through the same few calls.
 */
public final class Tether {
  private Tether() {}

  /**
   * Parses configuration keys (without the {@code tether.} prefix), for example
   * {@code endpoints -> "10.0.0.1:8080,10.0.0.2:8080"}. A relative {@code destinationRule} is
   * resolved against the working directory.
   *
   * @throws ConfigException naming the key, the value and what was expected
   */
  public static TetherConfig parseConfig(Map<String, String> properties) {
    return parseConfig(properties, Path.of(""));
  }

  /**
   * Parses configuration keys, resolving a relative {@code destinationRule} path against
   * {@code baseDir} (the Jetty base, or {@code $CATALINA_BASE}).
   *
   * @throws ConfigException naming the key, the value and what was expected
   */
  public static TetherConfig parseConfig(Map<String, String> properties, Path baseDir) {
    return ConfigParser.parse(properties, baseDir);
  }

  /** Every configuration key with its default, in documentation order. */
  public static Map<String, String> defaults() {
    return ConfigParser.DEFAULTS;
  }

  /**
   * A started balancer on the system clock and thread-local randomness. It resolves a
   * {@code dns:} source before returning, and with health checks on waits briefly for their first
   * round; background work runs on daemon threads named {@code tether-<name>-...}, created only
   * when needed. Call {@link Balancer#close()} when the container stops.
   */
  public static Balancer balancer(TetherConfig config) {
    return balancer(config, Clock.systemUTC(), () -> ThreadLocalRandom.current().nextLong());
  }

  /**
   * A started balancer with an injected clock (session cookie expiry) and random source (requests
   * that no hash policy hashes); otherwise as {@link #balancer(TetherConfig)}.
   */
  public static Balancer balancer(TetherConfig config, Clock clock, LongSupplier random) {
    return ClusterRuntime.start(config, ClusterEnvironment.production(config, clock, random));
  }

  /**
   * The proxy logic over {@code balancer} that every front end shares: one exchange per client
   * request, owning attempts, retries, timeouts, header rules and local replies.
   */
  public static Proxy proxy(Balancer balancer) {
    return Exchanges.proxy(balancer);
  }

  /** A started balancer on an injected environment: fake time, resolver, probe (tests). */
  static DefaultBalancer balancer(TetherConfig config, ClusterEnvironment environment) {
    return ClusterRuntime.start(config, environment);
  }
}
