package dev.tether.core.config;

import dev.tether.api.DnsResolvers;
import dev.tether.core.ConfigException;
import dev.tether.core.internal.IpLiterals;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dnsResolvers}: {@code system} (the default), {@code jvm}, or comma-separated
 * {@code IP[:PORT]} with IPv6 as {@code [ADDR]:PORT} (or a bare IPv6 address for port 53). Only
 * IP addresses: a server given by name would need a resolver to find the resolver.
 */
final class DnsResolverList {
  static final int DNS_PORT = 53;
  static final String EXPECTED = "system, jvm, or comma-separated IP[:PORT] (IPv6 as [ADDR]:PORT),"
      + " e.g. 10.96.0.10:53,10.96.0.11";

  static final Syntax<DnsResolvers> SYNTAX = new Syntax<>() {
    @Override
    public DnsResolvers parse(String key, String text) {
      return DnsResolverList.parse(key, text);
    }

    @Override
    public String format(DnsResolvers value) {
      return DnsResolverList.format(value);
    }
  };

  private DnsResolverList() {}

  static DnsResolvers parse(String key, String text) {
    String trimmed = text.trim();
    if (trimmed.equalsIgnoreCase("system")) {
      return DnsResolvers.SYSTEM;
    }
    if (trimmed.equalsIgnoreCase("jvm")) {
      return DnsResolvers.JVM;
    }
    List<InetSocketAddress> servers = new ArrayList<>();
    for (String item : trimmed.split(",", -1)) {
      InetSocketAddress server = server(item.trim());
      if (server == null) {
        throw new ConfigException(key, text, EXPECTED);
      }
      servers.add(server);
    }
    return DnsResolvers.servers(servers);
  }

  static String format(DnsResolvers value) {
    if (value.mode() != DnsResolvers.Mode.SERVERS) {
      return value.mode().name().toLowerCase(Locale.ROOT);
    }
    List<String> items = new ArrayList<>();
    for (InetSocketAddress server : value.servers()) {
      String ip = IpLiterals.format(server.getAddress());
      items.add((ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + server.getPort());
    }
    return String.join(",", items);
  }

  /** {@code IP[:PORT]}, {@code [V6]:PORT}, {@code [V6]} or a bare {@code V6}; null when not. */
  private static InetSocketAddress server(String item) {
    String host;
    String port = null;
    if (item.startsWith("[")) {
      int close = item.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = item.substring(1, close);
      String rest = item.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return null;
        }
        port = rest.substring(1);
      }
    } else if (item.indexOf(':') != item.lastIndexOf(':')) {
      host = item;
    } else {
      int colon = item.indexOf(':');
      host = colon < 0 ? item : item.substring(0, colon);
      port = colon < 0 ? null : item.substring(colon + 1);
    }
    if (host.indexOf('%') >= 0 || !IpLiterals.isLiteral(host)) {
      return null;
    }
    int number = DNS_PORT;
    if (port != null) {
      if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
        return null;
      }
      number = Integer.parseInt(port);
      if (number < 1 || number > 65535) {
        return null;
      }
    }
    try {
      // A literal: no lookup happens.
      return new InetSocketAddress(InetAddress.getByName(host), number);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
