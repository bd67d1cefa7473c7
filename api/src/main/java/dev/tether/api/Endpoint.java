package dev.tether.api;

import java.util.Objects;

/**
 * One backend the balancer may route to.
 *
 * @param host IP literal (IPv6 without brackets, in RFC 5952 form) or host name
 * @param port TCP port, 1 to 65535
 * @param weight load balancing weight, at least 1 (Envoy's {@code load_balancing_weight})
 * @param hashKey explicit key to hash instead of the address (Envoy's {@code envoy.lb} metadata
 *     {@code hash_key}); empty when unset
 * @param locality locality name; empty when unset
 * @param priority priority level, 0 the highest
 * @param health health as last known
 */
public record Endpoint(
    String host, int port, int weight, String hashKey, String locality, int priority, Health health) {

  public Endpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(hashKey, "hashKey");
    Objects.requireNonNull(locality, "locality");
    Objects.requireNonNull(health, "health");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host: \"\" (expected: an IP address or host name)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
    }
    if (priority < 0) {
      throw new IllegalArgumentException("priority: " + priority + " (expected: >= 0)");
    }
  }

  /** A healthy endpoint of weight 1 with no hash key, locality or priority. */
  public static Endpoint of(String host, int port) {
    return new Endpoint(host, port, 1, "", "", 0, Health.HEALTHY);
  }

  /**
   * The address as Envoy prints it and as session values carry it: {@code ip:port}, or
   * {@code [ipv6]:port}.
   */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** This endpoint with another health. */
  public Endpoint withHealth(Health newHealth) {
    return new Endpoint(host, port, weight, hashKey, locality, priority, newHealth);
  }
}
