package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import dev.tether.api.EndpointSource;
import dev.tether.api.Health;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import dev.tether.core.config.EndpointsFile;
import dev.tether.core.internal.IpLiterals;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a DNS answer into endpoints: one per distinct address, weight 1, healthy, on the source's
 * port, sorted by address (DNS servers rotate their answers; the table must not depend on that).
 */
final class DnsEndpoints {
  private DnsEndpoints() {}

  static List<Endpoint> of(List<InetAddress> addresses, int port) {
    Map<String, Endpoint> byAddress = new LinkedHashMap<>();
    for (InetAddress address : addresses) {
      Endpoint endpoint = new Endpoint(IpLiterals.canonical(address.getHostAddress()), port, 1, "",
          "", 0, Health.HEALTHY);
      byAddress.putIfAbsent(endpoint.address(), endpoint);
    }
    List<Endpoint> endpoints = new ArrayList<>(byAddress.values());
    endpoints.sort(EndpointsFile.BY_ADDRESS);
    return endpoints;
  }

  /**
   * {@code config} with its DNS name resolved once into {@code endpoints}: for the CLI, which
   * answers one question and exits.
   */
  static TetherConfig resolvedOnce(TetherConfig config, Resolver resolver) {
    EndpointSource source = config.endpointSource();
    if (source.kind() != EndpointSource.Kind.DNS) {
      return config;
    }
    List<Endpoint> endpoints;
    String text = "dns:" + source.name() + ":" + source.port();
    try {
      endpoints = of(resolver.resolve(source.name()), source.port());
    } catch (UnknownHostException e) {
      throw new ConfigException("endpoints", text, "a name that resolves (" + e.getMessage() + ")",
          e);
    }
    if (endpoints.isEmpty()) {
      throw new ConfigException("endpoints", text,
          "a name that resolves (" + source.name() + ": no A or AAAA record)");
    }
    return config.toBuilder().endpoints(endpoints).build(ConfigException::new);
  }
}
