package dev.tether.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One balancer of a running front end, read from its {@code dev.tether:type=Balancer} bean, and
 * its endpoints in the order the balancer lists them.
 *
 * @param name the balancer's JMX name ({@code name}, suffixed when two share it in one JVM)
 * @param source the endpoint source: {@code static endpoints}, {@code dns:NAME:PORT} or
 *     {@code file:PATH}
 * @param healthy endpoints the ring or table holds
 * @param ejected endpoints outlier detection has ejected
 * @param draining endpoints draining
 */
record BalancerStatus(String name, String source, int healthy, int ejected, int draining,
    List<EndpointStatus> endpoints) {

  BalancerStatus {
    endpoints = List.copyOf(endpoints);
  }

  /** {@code balancer NAME (SOURCE): N endpoints, N healthy, N ejected, N draining}. */
  String heading() {
    return "balancer " + name + " (" + source + "): " + endpoints.size() + " endpoints, "
        + healthy + " healthy, " + ejected + " ejected, " + draining + " draining";
  }

  /** The heading, then one {@link EndpointStatus#line()} per endpoint. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add(heading());
    for (EndpointStatus endpoint : endpoints) {
      lines.add(endpoint.line());
    }
    return lines;
  }

  /** The endpoint whose address is {@code address}; null when none. */
  EndpointStatus endpoint(String address) {
    for (EndpointStatus endpoint : endpoints) {
      if (endpoint.address().equals(address)) {
        return endpoint;
      }
    }
    return null;
  }
}
