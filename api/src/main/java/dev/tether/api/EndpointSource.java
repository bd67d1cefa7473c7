package dev.tether.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the endpoint set comes from: the static {@code endpoints} list, every address of a DNS
 * name (Envoy's {@code STRICT_DNS} cluster: a Kubernetes headless Service, a Compose service with
 * replicas), or a YAML/JSON file that an operator or a controller rewrites.
 *
 * <p>Dynamic sources are re-read every {@link #refreshRate()}, off the request path. Their
 * endpoints are sorted by address before the ring or table is built, so that every Tether replica
 * given the same addresses builds the same table whatever order DNS or the file lists them in.
 *
 * @param kind static list, DNS name or file
 * @param name DNS: the name to resolve; empty otherwise
 * @param port DNS: the port every resolved address serves on; 0 otherwise
 * @param path file: the absolute path of the endpoints file; empty otherwise
 * @param refreshRate dynamic sources: how often the name is resolved or the file re-read; zero for
 *     the static list
 * @param resolvers DNS: which resolver answers the name; {@link DnsResolvers#SYSTEM} for the other
 *     kinds, where it is not used
 */
public record EndpointSource(Kind kind, String name, int port, String path, Duration refreshRate,
    DnsResolvers resolvers) {

  /** The kinds of endpoint source. */
  public enum Kind {
    /** The {@code endpoints} list itself, in configuration order. */
    STATIC,
    /** {@code dns:NAME:PORT}: every A/AAAA record of NAME. */
    DNS,
    /** {@code file:PATH}: a YAML or JSON list of endpoints with their attributes. */
    FILE
  }

  /** How often a DNS name is resolved again, Envoy's {@code dns_refresh_rate} default. */
  public static final Duration DEFAULT_DNS_REFRESH_RATE = Duration.ofSeconds(5);

  /**
   * How often an endpoints file (and a key ring file) is checked for changes: a read of an
   * unchanged small file costs next to nothing, and an operator's edit shows up within a second.
   */
  public static final Duration DEFAULT_FILE_REFRESH_RATE = Duration.ofSeconds(1);

  /** The static list given in {@code endpoints}. */
  public static final EndpointSource STATIC =
      new EndpointSource(Kind.STATIC, "", 0, "", Duration.ZERO, DnsResolvers.SYSTEM);

  public EndpointSource {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(refreshRate, "refreshRate");
    Objects.requireNonNull(resolvers, "resolvers");
  }

  /**
   * Every address of {@code name}, on {@code port}, re-resolved every {@code refreshRate} by the
   * system's DNS servers ({@link DnsResolvers#SYSTEM}).
   */
  public static EndpointSource dns(String name, int port, Duration refreshRate) {
    return dns(name, port, refreshRate, DnsResolvers.SYSTEM);
  }

  /** Every address of {@code name}, on {@code port}, re-resolved every {@code refreshRate}. */
  public static EndpointSource dns(String name, int port, Duration refreshRate,
      DnsResolvers resolvers) {
    return new EndpointSource(Kind.DNS, name, port, "", refreshRate, resolvers);
  }

  /** The endpoints listed in the file at {@code path}, re-read every {@code refreshRate}. */
  public static EndpointSource file(String path, Duration refreshRate) {
    return new EndpointSource(Kind.FILE, "", 0, path, refreshRate, DnsResolvers.SYSTEM);
  }

  /** Whether the endpoint set can change while Tether runs. */
  public boolean isDynamic() {
    return kind != Kind.STATIC;
  }
}
