package dev.tether.core.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves a DNS name to all its addresses (A and AAAA records). Injected so tests control the
 * answers; production uses {@link #SYSTEM}, the JDK resolver, whose answers the JVM caches (see
 * {@link JvmDnsCache}).
 */
@FunctionalInterface
interface Resolver {
  /** The JDK resolver: {@link InetAddress#getAllByName}. */
  Resolver SYSTEM = name -> Arrays.asList(InetAddress.getAllByName(name));

  /**
   * Every address of {@code name}; an empty list when it has none.
   *
   * @throws UnknownHostException when the name cannot be resolved now
   */
  List<InetAddress> resolve(String name) throws UnknownHostException;
}
