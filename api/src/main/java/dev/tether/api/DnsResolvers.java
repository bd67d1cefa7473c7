package dev.tether.api;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * Which resolver answers a {@code dns:NAME:PORT} source. Tether resolves with a DNS client of its
 * own by default because the JVM's resolver caches answers (30 s unless the JVM is started with a
 * flag), which would make {@code dnsRefreshRate} meaningless; Envoy likewise resolves with its own
 * resolver rather than the operating system's.
 *
 * @param mode the system's servers, the JVM's resolver, or listed servers
 * @param servers {@link Mode#SERVERS}: the servers asked, in order, as IP addresses with their
 *     ports; empty for the other modes
 */
public record DnsResolvers(Mode mode, List<InetSocketAddress> servers) {

  /** Where answers come from. */
  public enum Mode {
    /**
     * {@code system}: the servers in {@code /etc/resolv.conf}, its search domains and
     * {@code ndots}, with {@code /etc/hosts} consulted first, as the C library resolves; both
     * files are read again on every refresh, and nothing is cached between refreshes.
     */
    SYSTEM,
    /** {@code jvm}: {@code InetAddress.getAllByName}, with the JVM's cache. */
    JVM,
    /** {@code ip[:port],...}: only these servers; the name is asked as written. */
    SERVERS
  }

  /** The default: {@link Mode#SYSTEM}. */
  public static final DnsResolvers SYSTEM = new DnsResolvers(Mode.SYSTEM, List.of());

  /** The JVM's resolver, as before Tether had its own. */
  public static final DnsResolvers JVM = new DnsResolvers(Mode.JVM, List.of());

  public DnsResolvers {
    Objects.requireNonNull(mode, "mode");
    servers = List.copyOf(servers);
    if ((mode == Mode.SERVERS) == servers.isEmpty()) {
      throw new IllegalArgumentException("servers: " + servers + " (expected: "
          + (mode == Mode.SERVERS ? "at least one server" : "none unless mode is SERVERS") + ")");
    }
    for (InetSocketAddress server : servers) {
      if (server.isUnresolved()) {
        throw new IllegalArgumentException(
            "servers: " + server + " (expected: an IP address, not a name)");
      }
    }
  }

  /** Only {@code servers}, in order. */
  public static DnsResolvers servers(List<InetSocketAddress> servers) {
    return new DnsResolvers(Mode.SERVERS, servers);
  }
}
