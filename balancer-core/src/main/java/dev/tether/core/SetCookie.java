package dev.tether.core;

import dev.tether.api.CookieAttribute;
import java.util.List;

/**
 * Builds {@code Set-Cookie} values exactly as Envoy's {@code Http::Utility::makeSetCookieValue}:
 * quoted value, {@code Max-Age} only when non-zero, {@code Path} only when set, the attributes in
 * order, then always {@code HttpOnly}. Matching Envoy byte for byte lets tests and operators
 * compare the two side by side.
 */
final class SetCookie {
  private SetCookie() {}

  static String format(
      String name, String value, String path, long maxAgeSeconds, List<CookieAttribute> attributes) {
    StringBuilder out = new StringBuilder(name.length() + value.length() + path.length() + 40);
    out.append(name).append("=\"").append(value).append('"');
    if (maxAgeSeconds != 0) {
      out.append("; Max-Age=").append(maxAgeSeconds);
    }
    if (!path.isEmpty()) {
      out.append("; Path=").append(path);
    }
    for (CookieAttribute attribute : attributes) {
      out.append("; ").append(attribute.name());
      if (!attribute.value().isEmpty()) {
        out.append('=').append(attribute.value());
      }
    }
    return out.append("; HttpOnly").toString();
  }
}
