package dev.tether.core;

import dev.tether.core.internal.IpLiterals;
import java.nio.charset.StandardCharsets;

/**
 * An endpoint address in the few bytes a sealed session value carries, so that an IPv4 value stays
 * far below 100 characters. Three forms, each starting with its form byte:
 *
 * <ul>
 *   <li>{@code 4}: four address bytes, then the port (two bytes, big-endian): 7 bytes;
 *   <li>{@code 6}: sixteen address bytes, then the port: 19 bytes;
 *   <li>{@code 0}: the host as text (one length byte, 1 to 255 bytes of UTF-8), then the port: for
 *       host names and for IP literals not in their canonical form (an IPv6 zone, say).
 * </ul>
 *
 * <p>Unpacking gives back exactly the string {@link dev.tether.api.Endpoint#address()} packed, so
 * the address a value names is looked up among the endpoints as is. The binary forms are used only
 * when printing the bytes gives back the same text.
 */
final class PackedAddress {
  static final int FORM_TEXT = 0;
  static final int FORM_V4 = 4;
  static final int FORM_V6 = 6;
  /** The longest packed address: form, length, 255 bytes of host, port. */
  static final int MAX_BYTES = 1 + 1 + 255 + 2;

  private PackedAddress() {}

  /**
   * Packs {@code address} ({@code host:port} or {@code [ipv6]:port}) into {@code out} at
   * {@code offset}.
   *
   * @return the number of bytes written, or -1 when {@code address} has no port or its host is
   *     longer than 255 bytes
   */
  static int pack(String address, byte[] out, int offset) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      return -1;
    }
    int port = port(address, colon + 1);
    if (port < 0) {
      return -1;
    }
    String host = address.charAt(0) == '[' && address.charAt(colon - 1) == ']'
        ? address.substring(1, colon - 1)
        : address.substring(0, colon);
    int o = offset;
    if (packV4(host, out, o + 1)) {
      out[o] = FORM_V4;
      o += 5;
    } else if (host.indexOf('%') < 0 && IpLiterals.canonical(host).equals(host)
        && IpLiterals.parseV6(host) != null) {
      int[] groups = IpLiterals.parseV6(host);
      out[o++] = FORM_V6;
      for (int group : groups) {
        out[o++] = (byte) (group >>> 8);
        out[o++] = (byte) group;
      }
    } else {
      byte[] text = host.getBytes(StandardCharsets.UTF_8);
      if (text.length == 0 || text.length > 255) {
        return -1;
      }
      out[o++] = FORM_TEXT;
      out[o++] = (byte) text.length;
      System.arraycopy(text, 0, out, o, text.length);
      o += text.length;
    }
    out[o++] = (byte) (port >>> 8);
    out[o++] = (byte) port;
    return o - offset;
  }

  /** The packed length of the address at {@code data[offset]}, or -1 when malformed. */
  static int length(byte[] data, int offset, int limit) {
    if (offset >= limit) {
      return -1;
    }
    int length;
    switch (data[offset]) {
      case FORM_V4:
        length = 7;
        break;
      case FORM_V6:
        length = 19;
        break;
      case FORM_TEXT:
        if (offset + 1 >= limit || data[offset + 1] == 0) {
          return -1;
        }
        length = 2 + (data[offset + 1] & 0xFF) + 2;
        break;
      default:
        return -1;
    }
    return offset + length <= limit ? length : -1;
  }

  /**
   * The address packed at {@code data[offset]}, whose {@link #length} was checked; null when its
   * port is 0 or its text is not UTF-8.
   */
  static String unpack(byte[] data, int offset, int length) {
    int portAt = offset + length - 2;
    int port = (data[portAt] & 0xFF) << 8 | (data[portAt + 1] & 0xFF);
    if (port == 0) {
      return null;
    }
    switch (data[offset]) {
      case FORM_V4: {
        StringBuilder out = new StringBuilder(21);
        for (int i = 1; i <= 4; i++) {
          if (i > 1) {
            out.append('.');
          }
          out.append(data[offset + i] & 0xFF);
        }
        return out.append(':').append(port).toString();
      }
      case FORM_V6: {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
          groups[i] = (data[offset + 1 + 2 * i] & 0xFF) << 8 | (data[offset + 2 + 2 * i] & 0xFF);
        }
        return "[" + IpLiterals.canonicalV6(groups) + "]:" + port;
      }
      default: {
        String host = Utf8.decodeStrict(data, offset + 2, length - 4);
        if (host == null) {
          return null;
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
      }
    }
  }

  /** A port from 1 to 65535 in {@code text} from {@code start} to its end, or -1. */
  private static int port(String text, int start) {
    int end = text.length();
    if (end - start > 5) {
      return -1;
    }
    int port = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      port = port * 10 + (c - '0');
    }
    return port >= 1 && port <= 65535 ? port : -1;
  }

  /**
   * Writes the four bytes of {@code host} when it is an IPv4 address in its canonical dotted form
   * (no leading zeros), which is how unpacking prints it again.
   */
  private static boolean packV4(String host, byte[] out, int offset) {
    int n = host.length();
    int part = 0;
    int i = 0;
    while (part < 4) {
      int start = i;
      int value = 0;
      while (i < n && host.charAt(i) >= '0' && host.charAt(i) <= '9' && i - start < 3) {
        value = value * 10 + (host.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || value > 255 || (digits > 1 && host.charAt(start) == '0')) {
        return false;
      }
      out[offset + part] = (byte) value;
      part++;
      if (part < 4) {
        if (i >= n || host.charAt(i) != '.') {
          return false;
        }
        i++;
      }
    }
    return i == n;
  }
}
