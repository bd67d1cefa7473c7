package dev.tether.core.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;

/**
 * Prints IP literals as Envoy does ({@code inet_ntop}): IPv4 dotted quads, IPv6 in RFC 5952 form
 * (lower case, leading zeros dropped, the longest run of two or more zero groups as {@code ::}).
 * Java prints IPv6 uncompressed ({@code 0:0:0:0:0:0:0:1}); hashing that form would break parity
 * with Envoy for source-IP hashing and for session addresses.
 *
 * <p>The one RFC 5952 formatter of the project: the core's parsers and request hashing, the
 * cluster's DNS answers and the Jetty module's client addresses all print through it. Public
 * for those other packages and modules only; it is not part of Tether's API.
 */
public final class IpLiterals {
  private IpLiterals() {}

  /** Whether {@code host} is an IPv4 or IPv6 literal (no brackets). */
  public static boolean isLiteral(String host) {
    return parseV6(host) != null || isV4(host);
  }

  /**
   * The canonical form of an IP literal, or {@code host} unchanged when it is not one (a host
   * name). Brackets around IPv6 are removed; an IPv6 zone ({@code %eth0}) is kept as given.
   */
  public static String canonical(String host) {
    String h = host;
    if (h.length() > 1 && h.charAt(0) == '[' && h.charAt(h.length() - 1) == ']') {
      h = h.substring(1, h.length() - 1);
    }
    String zone = "";
    int percent = h.indexOf('%');
    if (percent >= 0) {
      zone = h.substring(percent);
      h = h.substring(0, percent);
    }
    int[] groups = parseV6(h);
    if (groups == null) {
      return host;
    }
    return canonicalV6(groups) + zone;
  }

  /**
   * The canonical text of an address the JDK holds: IPv4 dotted, IPv6 as {@link #canonical}
   * prints it, without the zone (a socket's scope is not part of the address Envoy prints).
   */
  public static String format(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    byte[] bytes = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    return canonicalV6(groups);
  }

  /** The canonical text of the IPv6 address of these eight 16-bit groups. */
  public static String canonicalV6(int[] groups) {
    if (isV4Mapped(groups) || isV4Compatible(groups)) {
      String prefix = groups[5] == 0xFFFF ? "::ffff:" : "::";
      return prefix + (groups[6] >>> 8) + "." + (groups[6] & 0xFF) + "."
          + (groups[7] >>> 8) + "." + (groups[7] & 0xFF);
    }
    return format(groups);
  }

  /** Whether {@code host} is an IPv4 dotted quad, each part 0 to 255 without a sign. */
  public static boolean isV4(String host) {
    int parts = 0;
    int i = 0;
    int n = host.length();
    while (i <= n) {
      int start = i;
      int value = 0;
      while (i < n && host.charAt(i) >= '0' && host.charAt(i) <= '9') {
        value = value * 10 + (host.charAt(i) - '0');
        if (value > 255 || i - start >= 3) {
          return false;
        }
        i++;
      }
      if (i == start) {
        return false;
      }
      parts++;
      if (i == n) {
        break;
      }
      if (host.charAt(i) != '.') {
        return false;
      }
      i++;
    }
    return parts == 4;
  }

  /** inet_ntop prints {@code ::a.b.c.d} when exactly the first six groups are zero. */
  private static boolean isV4Compatible(int[] g) {
    return g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0
        && g[6] != 0;
  }

  private static boolean isV4Mapped(int[] g) {
    return g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF;
  }

  private static String format(int[] groups) {
    int bestStart = -1;
    int bestLength = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    if (bestLength < 2) {
      bestStart = -1;
    }
    StringBuilder out = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }

  /** The eight 16-bit groups of an IPv6 literal, or null when {@code text} is not one. */
  public static int[] parseV6(String text) {
    if (text.indexOf(':') < 0) {
      return null;
    }
    int[] groups = new int[8];
    int count = 0;
    int doubleColonAt = -1;
    int i = 0;
    int n = text.length();
    if (text.startsWith("::")) {
      doubleColonAt = 0;
      i = 2;
      if (n == 2) {
        return groups;
      }
    } else if (text.startsWith(":")) {
      return null;
    }
    while (i < n) {
      int start = i;
      int value = 0;
      while (i < n && Character.digit(text.charAt(i), 16) >= 0 && i - start < 4) {
        value = value * 16 + Character.digit(text.charAt(i), 16);
        i++;
      }
      if (i < n && text.charAt(i) == '.') {
        // Embedded IPv4 in the last 32 bits.
        String v4 = text.substring(start);
        if (!isV4(v4) || count > 6) {
          return null;
        }
        String[] parts = v4.split("\\.");
        groups[count++] = Integer.parseInt(parts[0]) << 8 | Integer.parseInt(parts[1]);
        groups[count++] = Integer.parseInt(parts[2]) << 8 | Integer.parseInt(parts[3]);
        i = n;
        break;
      }
      if (i == start || count == 8) {
        return null;
      }
      groups[count++] = value;
      if (i == n) {
        break;
      }
      if (text.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < n && text.charAt(i) == ':') {
        if (doubleColonAt >= 0) {
          return null;
        }
        doubleColonAt = count;
        i++;
        if (i == n) {
          break;
        }
      } else if (i == n) {
        return null;
      }
    }
    if (doubleColonAt >= 0) {
      if (count == 8) {
        return null;
      }
      int move = count - doubleColonAt;
      System.arraycopy(groups, doubleColonAt, groups, 8 - move, move);
      java.util.Arrays.fill(groups, doubleColonAt, 8 - move, 0);
    } else if (count != 8) {
      return null;
    }
    return groups;
  }
}
