package dev.tether.core.cluster;

import dev.tether.api.DnsResolvers;
import dev.tether.api.EndpointSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves a DNS name to all its addresses (A and AAAA records). Injected so tests control the
 * answers; production uses {@link #of}: Tether's own DNS client by default, or the JDK resolver
 * ({@link #JVM}) when {@code dnsResolvers=jvm}.
 *
 * <p>The contract tells "the name has no addresses" from "the name cannot be resolved now",
 * because discovery treats them differently: an empty list empties the endpoint set, an exception
 * keeps the last good one (as Envoy keeps its hosts when a resolution fails).
 */
@FunctionalInterface
interface Resolver {
  /**
   * The JDK resolver, {@link InetAddress#getAllByName}, whose answers the JVM caches (see
   * {@link JvmDnsCache}). The JDK reports a name that does not exist as it reports a timeout, so
   * with it an NXDOMAIN keeps the last good set too.
   */
  Resolver JVM = name -> Arrays.asList(InetAddress.getAllByName(name));

  /**
   * Every address of {@code name}; an empty list when it has none (NXDOMAIN, or no A and no AAAA
   * record).
   *
   * @throws UnknownHostException when the name cannot be resolved now (a timeout, SERVFAIL)
   */
  List<InetAddress> resolve(String name) throws UnknownHostException;

  /** The resolver a {@code dns:} source names with {@code dnsResolvers}. */
  static Resolver of(EndpointSource source) {
    DnsResolvers resolvers = source.resolvers();
    return switch (resolvers.mode()) {
      case JVM -> JVM;
      case SYSTEM -> DnsjavaResolver.system(source.refreshRate());
      case SERVERS -> DnsjavaResolver.servers(resolvers.servers(), source.refreshRate());
    };
  }
}
