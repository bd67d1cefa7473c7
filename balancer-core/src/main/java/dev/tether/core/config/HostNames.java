package dev.tether.core.config;

/**
 * Host names as DNS and {@link java.net.InetAddress} accept them: 1 to 253 letters, digits,
 * {@code -}, {@code _} and {@code .}, not starting with {@code .} or {@code -} (RFC 1123 labels,
 * with the underscore of service names). The one check both the {@code endpoints} list and a
 * {@code dns:NAME:PORT} source use.
 */
final class HostNames {
  private HostNames() {}

  static boolean isHostName(String name) {
    if (name.isEmpty() || name.length() > 253 || name.startsWith(".") || name.startsWith("-")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code name} is made of digits and dots only: an IPv4 address, or a broken one. */
  static boolean looksNumeric(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return false;
      }
    }
    return true;
  }
}
