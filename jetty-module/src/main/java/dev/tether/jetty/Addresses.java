package dev.tether.jetty;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * IP addresses as Envoy prints them, so that source-IP hashing and generated cookies match an
 * Envoy in front of the same clients: IPv4 dotted quads, IPv6 in RFC 5952 compressed lower-case
 * form (what {@code inet_ntop} prints), never bracketed and never with a zone index.
 * {@link InetAddress#getHostAddress()} prints IPv6 uncompressed ({@code 0:0:0:0:0:0:0:1}) and
 * Jetty's {@code Request.getRemoteAddr} adds brackets; both would hash differently.
 */
final class Addresses {
  private Addresses() {}

  /** The IP of {@code address}, or its host string when it is not an IP socket address. */
  static String ip(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      InetAddress ip = inet.getAddress();
      return ip == null ? strip(inet.getHostString()) : format(ip);
    }
    return address == null ? "" : address.toString();
  }

  /** The port of {@code address}, or 0 when it is not an IP socket address. */
  static int port(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet.getPort() : 0;
  }

  /**
   * Normalises an address string from a servlet container ({@code getRemoteAddr()}): brackets and
   * zone index removed, IPv6 compressed. Host names and garbage come back as given, unbracketed.
   */
  static String normalize(String address) {
    if (address == null) {
      return "";
    }
    String bare = strip(address);
    if (bare.indexOf(':') < 0) {
      return bare;
    }
    try {
      // An IPv6 literal: parsed without any name lookup.
      return format(InetAddress.getByName(bare));
    } catch (UnknownHostException | SecurityException e) {
      return bare;
    }
  }

  /** RFC 5952 text for IPv6, dotted quad for IPv4. */
  static String format(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    byte[] bytes = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    // RFC 5952 4.2: the longest run of two or more zero groups becomes "::", the first on a tie.
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder text = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }

  private static String strip(String address) {
    String bare = address;
    if (bare.length() >= 2 && bare.charAt(0) == '[' && bare.charAt(bare.length() - 1) == ']') {
      bare = bare.substring(1, bare.length() - 1);
    }
    int zone = bare.indexOf('%');
    return zone >= 0 && bare.indexOf(':') >= 0 ? bare.substring(0, zone) : bare;
  }
}
