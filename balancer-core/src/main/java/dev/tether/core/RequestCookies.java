package dev.tether.core;

import java.util.List;

/**
 * Finds a cookie's value in {@code Cookie} request headers the way Envoy's
 * {@code Http::Utility::parseCookieValue} does: headers in order, pairs split on {@code ;}, leading
 * spaces of the name skipped, the first exact (case-sensitive) name wins, and one pair of
 * surrounding double quotes is stripped from the value. A pair without {@code =} is skipped.
 */
final class RequestCookies {
  private RequestCookies() {}

  /** The value, or the empty string when no such cookie is present. */
  static String value(List<String> cookieHeaders, String name) {
    for (int h = 0, n = cookieHeaders.size(); h < n; h++) {
      String header = cookieHeaders.get(h);
      int start = 0;
      int length = header.length();
      while (start < length) {
        int end = header.indexOf(';', start);
        if (end < 0) {
          end = length;
        }
        if (end > start) {
          String found = match(header, start, end, name);
          if (found != null) {
            return found;
          }
        }
        start = end + 1;
      }
    }
    return "";
  }

  private static String match(String header, int start, int end, String name) {
    int equals = header.indexOf('=', start);
    if (equals < 0 || equals >= end) {
      return null;
    }
    int nameStart = start;
    while (nameStart < equals && header.charAt(nameStart) == ' ') {
      nameStart++;
    }
    if (equals - nameStart != name.length() || !header.startsWith(name, nameStart)) {
      return null;
    }
    int valueStart = equals + 1;
    int valueEnd = end;
    if (valueEnd - valueStart >= 2 && header.charAt(valueStart) == '"'
        && header.charAt(valueEnd - 1) == '"') {
      valueStart++;
      valueEnd--;
    }
    return header.substring(valueStart, valueEnd);
  }
}
