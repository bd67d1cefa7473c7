package dev.tether.jetty;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The proxying rules both the handler and the servlet follow, kept in one place so the two
 * entry points cannot drift apart.
 */
final class ProxyRules {
  private ProxyRules() {}

  /** Request attribute naming the chosen backend, {@code ip:port}; for access logs and apps. */
  static final String UPSTREAM_ATTRIBUTE = "tether.upstream";

  /** Envoy's body when no endpoint can serve. */
  static final String NO_HEALTHY_UPSTREAM = "no healthy upstream";

  /**
   * Hop-by-hop headers, RFC 9110 section 7.6.1 (plus the legacy Keep-Alive and
   * Proxy-Connection): they describe one connection and are never forwarded.
   */
  static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
      "upgrade", "proxy-authenticate", "proxy-authorization");

  /**
   * The header names a message's Connection header lists (lower case): hop-by-hop as well, by
   * RFC 9110 section 7.6.1. Empty when there are none.
   */
  static Set<String> connectionListed(List<String> connectionValues) {
    if (connectionValues.isEmpty()) {
      return Set.of();
    }
    List<String> names = new ArrayList<>();
    for (String value : connectionValues) {
      for (String name : value.split(",")) {
        String trimmed = name.trim();
        if (!trimmed.isEmpty()) {
          names.add(trimmed.toLowerCase(Locale.ROOT));
        }
      }
    }
    return Set.copyOf(names);
  }

  /** Whether the (lower-case) header name must not cross the proxy. */
  static boolean isHopByHop(String lowerCaseName, Set<String> connectionListed) {
    return HOP_BY_HOP.contains(lowerCaseName) || connectionListed.contains(lowerCaseName);
  }

  /**
   * The X-Forwarded-For value to send: the values that arrived, in order, with the client's IP
   * appended, as Envoy and every other proxy do.
   */
  static String forwardedFor(List<String> arrived, String clientIp) {
    StringBuilder value = new StringBuilder();
    for (String part : arrived) {
      String trimmed = part.trim();
      if (!trimmed.isEmpty()) {
        value.append(trimmed).append(", ");
      }
    }
    return value.append(clientIp).toString();
  }
}
