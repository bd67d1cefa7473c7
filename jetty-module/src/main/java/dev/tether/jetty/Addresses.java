package dev.tether.jetty;

import dev.tether.core.internal.IpLiterals;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The client connection's addresses as Envoy prints them, so that source-IP hashing and generated
 * cookies match an Envoy in front of the same clients: IPv4 dotted quads, IPv6 in RFC 5952 form
 * (the core's {@link IpLiterals}, the project's one formatter), never bracketed and never with a
 * zone index. {@link InetAddress#getHostAddress()} prints IPv6 uncompressed
 * ({@code 0:0:0:0:0:0:0:1}) and Jetty's {@code Request.getRemoteAddr} adds brackets; both would
 * hash differently.
 */
final class Addresses {
  private Addresses() {}

  /** The IP of {@code address}, or its host string when it is not an IP socket address. */
  static String ip(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      InetAddress ip = inet.getAddress();
      return ip == null ? strip(inet.getHostString()) : IpLiterals.format(ip);
    }
    return address == null ? "" : address.toString();
  }

  /** The port of {@code address}, or 0 when it is not an IP socket address. */
  static int port(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet.getPort() : 0;
  }

  /** An unresolved host string without brackets and, for IPv6, without a zone index. */
  private static String strip(String address) {
    String bare = address;
    if (bare.length() >= 2 && bare.charAt(0) == '[' && bare.charAt(bare.length() - 1) == ']') {
      bare = bare.substring(1, bare.length() - 1);
    }
    int zone = bare.indexOf('%');
    return zone >= 0 && bare.indexOf(':') >= 0 ? bare.substring(0, zone) : bare;
  }
}
