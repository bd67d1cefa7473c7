package dev.tether.core.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.hosts.HostsFileParser;

/**
 * Tether's own DNS client, on dnsjava: an A and an AAAA query for the name on every refresh, with
 * nothing cached from one refresh to the next (each {@link Lookup} gets a cache of its own that
 * dies with it), so that {@code dnsRefreshRate} means what it says whatever the JVM caches. dnsjava
 * retries over TCP when a UDP answer is truncated, and follows CNAMEs.
 *
 * <p>In {@code system} mode each refresh reads {@code /etc/hosts} and {@code /etc/resolv.conf}
 * again, as the C library does for {@code hosts: files dns}: a name the hosts file lists (as
 * written, any family) is answered from it alone (dnsjava's parser gives the first IPv4 and the
 * first IPv6 address of the name); otherwise the servers of {@code resolv.conf} are asked, with
 * its search domains and {@code ndots} ({@code 127.0.0.1:53} when it names none, as the C library
 * falls back). With listed servers, only they are asked, for the name as written.
 *
 * <p>A query asks each server up to {@value #ATTEMPTS} times, waiting for each answer
 * {@code dnsRefreshRate} bounded to [{@link #MIN_TRY_TIMEOUT}, {@link #MAX_TRY_TIMEOUT}]: a
 * silent server delays one refresh by seconds, never minutes. A timeout, SERVFAIL or any other
 * failure of either query fails the whole lookup (the set is kept); NXDOMAIN and answers without
 * records for both types give an empty list.
 */
final class DnsjavaResolver implements Resolver {
  static final int ATTEMPTS = 2;
  static final Duration MIN_TRY_TIMEOUT = Duration.ofMillis(500);
  static final Duration MAX_TRY_TIMEOUT = Duration.ofSeconds(2);
  static final Path SYSTEM_RESOLV_CONF = Path.of("/etc/resolv.conf");
  static final Path SYSTEM_HOSTS = Path.of("/etc/hosts");
  /** The C library's server when {@code resolv.conf} names none. */
  static final InetSocketAddress LOCAL_SERVER =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);

  private final Path resolvConf;
  private final Path hosts;
  /** System mode: the port the {@code resolv.conf} servers are asked on (53 but in tests). */
  private final int serverPort;
  private final List<InetSocketAddress> servers;
  private final Duration tryTimeout;

  private DnsjavaResolver(Path resolvConf, Path hosts, int serverPort,
      List<InetSocketAddress> servers, Duration tryTimeout) {
    this.resolvConf = resolvConf;
    this.hosts = hosts;
    this.serverPort = serverPort;
    this.servers = servers;
    this.tryTimeout = tryTimeout;
  }

  /** {@code dnsResolvers=system}: the system's files, read on every refresh. */
  static DnsjavaResolver system(Duration refreshRate) {
    return system(SYSTEM_RESOLV_CONF, SYSTEM_HOSTS, LOCAL_SERVER.getPort(), refreshRate);
  }

  /**
   * As {@link #system(Duration)}, with the files elsewhere and the servers asked on
   * {@code serverPort} ({@code resolv.conf} cannot name a port): for tests.
   */
  static DnsjavaResolver system(Path resolvConf, Path hosts, int serverPort,
      Duration refreshRate) {
    return new DnsjavaResolver(resolvConf, hosts, serverPort, List.of(),
        tryTimeout(refreshRate));
  }

  /** {@code dnsResolvers=IP[:PORT],...}: only {@code servers}, for the name as written. */
  static DnsjavaResolver servers(List<InetSocketAddress> servers, Duration refreshRate) {
    return new DnsjavaResolver(null, null, 0, List.copyOf(servers), tryTimeout(refreshRate));
  }

  static Duration tryTimeout(Duration refreshRate) {
    if (refreshRate.compareTo(MIN_TRY_TIMEOUT) < 0) {
      return MIN_TRY_TIMEOUT;
    }
    return refreshRate.compareTo(MAX_TRY_TIMEOUT) > 0 ? MAX_TRY_TIMEOUT : refreshRate;
  }

  @Override
  public List<InetAddress> resolve(String hostName) throws UnknownHostException {
    String name = hostName.toLowerCase(Locale.ROOT);
    Name absolute = parse(name, Name.root);
    if (hosts != null) {
      List<InetAddress> local = fromHostsFile(absolute);
      if (!local.isEmpty()) {
        return local;
      }
    }
    Name query = absolute;
    List<InetSocketAddress> asked = servers;
    List<Name> search = null;
    int ndots = 1;
    if (resolvConf != null) {
      ResolvConfFile conf;
      try {
        conf = ResolvConfFile.read(resolvConf);
      } catch (IOException e) {
        throw failure(name + ": cannot read " + resolvConf + " (" + e.getMessage() + ")", e);
      }
      asked = new ArrayList<>();
      for (InetSocketAddress server : conf.servers().isEmpty()
          ? List.of(LOCAL_SERVER) : conf.servers()) {
        asked.add(new InetSocketAddress(server.getAddress(), serverPort));
      }
      if (!conf.searchPaths().isEmpty()) {
        search = conf.searchPaths();
        ndots = conf.ndots();
        query = parse(name, null);
      }
    }
    ExtendedResolver resolver = resolver(asked);
    List<InetAddress> addresses = new ArrayList<>();
    ask(query, Type.A, resolver, search, ndots, addresses);
    ask(query, Type.AAAA, resolver, search, ndots, addresses);
    return addresses;
  }

  private ExtendedResolver resolver(List<InetSocketAddress> asked) {
    List<org.xbill.DNS.Resolver> each = new ArrayList<>(asked.size());
    for (InetSocketAddress server : asked) {
      SimpleResolver simple = new SimpleResolver(server);
      simple.setTimeout(tryTimeout);
      each.add(simple);
    }
    ExtendedResolver resolver = new ExtendedResolver(each);
    resolver.setRetries(ATTEMPTS);
    resolver.setLoadBalance(false);
    // The overall bound, with room so that each try's own timeout ends it first (and the failure
    // reads as a timeout rather than as dnsjava giving up waiting).
    resolver.setTimeout(
        tryTimeout.multipliedBy((long) ATTEMPTS * asked.size()).plus(tryTimeout.dividedBy(2)));
    return resolver;
  }

  private static void ask(Name name, int type, ExtendedResolver resolver, List<Name> search,
      int ndots, List<InetAddress> addresses) throws UnknownHostException {
    Lookup lookup = new Lookup(name, type, DClass.IN);
    lookup.setResolver(resolver);
    lookup.setCache(null);
    lookup.setHostsFileParser(null);
    // An absolute name ignores the search path, dnsjava's process-wide default one included.
    if (search != null) {
      lookup.setSearchPath(search);
    }
    lookup.setNdots(ndots);
    Record[] records = lookup.run();
    switch (lookup.getResult()) {
      case Lookup.SUCCESSFUL -> {
        for (Record record : records) {
          if (record instanceof ARecord a) {
            addresses.add(a.getAddress());
          } else if (record instanceof AAAARecord aaaa) {
            addresses.add(aaaa.getAddress());
          }
        }
      }
      case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> {
        // NXDOMAIN or no record of this type: nothing to add.
      }
      default -> throw failure(name + " " + Type.string(type) + ": " + lookup.getErrorString(),
          null);
    }
  }

  /** The hosts file's addresses of {@code name}: empty when it does not list the name. */
  private List<InetAddress> fromHostsFile(Name name) {
    List<InetAddress> addresses = new ArrayList<>(2);
    try {
      // A new parser each time: dnsjava's caches the file until its modification time changes.
      HostsFileParser parser = new HostsFileParser(hosts, false);
      Optional<InetAddress> v4 = parser.getAddressForHost(name, Type.A);
      v4.ifPresent(addresses::add);
      Optional<InetAddress> v6 = parser.getAddressForHost(name, Type.AAAA);
      v6.ifPresent(addresses::add);
    } catch (IOException | IllegalArgumentException e) {
      // As the C library does with an unreadable hosts file: on to DNS.
      return List.of();
    }
    return addresses;
  }

  private static Name parse(String name, Name origin) throws UnknownHostException {
    try {
      return Name.fromString(name, origin);
    } catch (TextParseException e) {
      throw failure(name + ": " + e.getMessage(), e);
    }
  }

  private static UnknownHostException failure(String message, Exception cause) {
    UnknownHostException failure = new UnknownHostException(message);
    if (cause != null) {
      failure.initCause(cause);
    }
    return failure;
  }

  @Override
  public String toString() {
    return resolvConf != null ? "DNS (" + resolvConf + ", " + hosts + ")" : "DNS " + servers;
  }
}
