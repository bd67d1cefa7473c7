package dev.tether;

import dev.tether.api.Balancer;
import dev.tether.api.Proxy;
import dev.tether.api.TetherConfig;
import dev.tether.core.config.ConfigKeys;
import dev.tether.core.config.ConfigParser;
import dev.tether.core.cluster.Cluster;
import dev.tether.exchange.Exchanges;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Tether's front door: parse a configuration, start a balancer, open the proxy exchange over it.
 * Every front end (the Jetty module, the Tomcat valve) and the CLI reach the same behaviour
 * through these few calls.
 *
 * <p>It sits above every package of the core, in a package of its own, because it is the one
 * place that knows them all: the request path ({@code dev.tether.core}) depends on none of the
 * others, the configuration ({@code .config}) and JMX ({@code .jmx}) on the request path only,
 * the cluster runtime ({@code .cluster}) on those three, and this class on everything.
 */
public final class Tether {
  private Tether() {}

  /**
   * Parses configuration keys (without the {@code tether.} prefix), for example
   * {@code endpoints -> "10.0.0.1:8080,10.0.0.2:8080"}. A relative {@code destinationRule} is
   * resolved against the working directory.
   *
   * @throws dev.tether.core.ConfigException naming the key, the value and what was expected
   */
  public static TetherConfig parseConfig(Map<String, String> properties) {
    return parseConfig(properties, Path.of(""));
  }

  /**
   * Parses configuration keys, resolving a relative {@code destinationRule}, {@code file:}
   * endpoints or {@code sessionSealKeys} path against {@code baseDir} (the Jetty base, or
   * {@code $CATALINA_BASE}).
   *
   * @throws dev.tether.core.ConfigException naming the key, the value and what was expected
   */
  public static TetherConfig parseConfig(Map<String, String> properties, Path baseDir) {
    return ConfigParser.parse(properties, baseDir);
  }

  /** Every configuration key with its default, in documentation order. */
  public static Map<String, String> defaults() {
    return ConfigKeys.defaults();
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
    return Cluster.start(config, clock, random);
  }

  /**
   * The proxy logic over {@code balancer} that every front end shares: one exchange per client
   * request, owning attempts, retries, timeouts, header rules and local replies.
   */
  public static Proxy proxy(Balancer balancer) {
    return Exchanges.proxy(balancer);
  }
}
