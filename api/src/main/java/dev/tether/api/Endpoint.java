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
 * @param address the address as Envoy prints it and as session values carry it: {@code ip:port},
 *     or {@code [ipv6]:port}. Derived from {@code host} and {@code port}: pass null (the
 *     seven-argument constructor does) and the constructor fills it in; a value that differs from
 *     the derived one is refused. It is a component rather than a method that formats on every
 *     call because the request path asks for it several times per request, and {@code api} holds
 *     records only: a record keeps a computed value only as one of its components.
 */
public record Endpoint(
    String host, int port, int weight, String hashKey, String locality, int priority, Health health,
    String address) {

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
    String derived = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    if (address != null && !address.equals(derived)) {
      throw new IllegalArgumentException(
          "address: " + address + " (expected: " + derived + ", from host and port)");
    }
    address = derived;
  }

  /** An endpoint whose {@link #address()} is derived from {@code host} and {@code port}. */
  public Endpoint(
      String host, int port, int weight, String hashKey, String locality, int priority,
      Health health) {
    this(host, port, weight, hashKey, locality, priority, health, null);
  }

  /** A healthy endpoint of weight 1 with no hash key, locality or priority. */
  public static Endpoint of(String host, int port) {
    return new Endpoint(host, port, 1, "", "", 0, Health.HEALTHY);
  }

  /** This endpoint with another health. */
  public Endpoint withHealth(Health newHealth) {
    return new Endpoint(host, port, weight, hashKey, locality, priority, newHealth);
  }
}
