package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import dev.tether.api.EndpointSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A {@code dns:NAME:PORT} source (Envoy's {@code STRICT_DNS}): every refresh resolves the name
 * and hands every address to the runtime. A failure (a timeout, SERVFAIL: the {@link Resolver}
 * throws) keeps the last good set, as Envoy keeps its hosts; an answer without addresses
 * (NXDOMAIN, no A or AAAA record) empties it, as Envoy empties a STRICT_DNS cluster.
 */
final class DnsDiscovery {
  private final EndpointSource source;
  private final Resolver resolver;
  private final ClusterRuntime runtime;

  DnsDiscovery(EndpointSource source, Resolver resolver, ClusterRuntime runtime) {
    this.source = source;
    this.resolver = resolver;
    this.runtime = runtime;
  }

  void refresh() {
    List<InetAddress> addresses;
    try {
      addresses = resolver.resolve(source.name());
    } catch (UnknownHostException | RuntimeException e) {
      runtime.status().failed("cannot resolve " + source.name() + " (" + e.getMessage()
          + "); keeping the last " + runtime.hostCount() + " endpoints");
      return;
    }
    List<Endpoint> endpoints = DnsEndpoints.of(addresses, source.port());
    runtime.discovered(endpoints);
    runtime.status().succeeded();
  }
}
