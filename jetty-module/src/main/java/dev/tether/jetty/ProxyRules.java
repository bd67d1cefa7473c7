package dev.tether.jetty;

import java.util.List;

/**
 * The proxying rules both the handler and the servlet follow, kept in one place so the two
 * entry points cannot drift apart (hop-by-hop fields are the core's {@code HopByHop}, shared with
 * the Tomcat valve).
 */
final class ProxyRules {
  private ProxyRules() {}

  /** Request attribute naming the chosen backend, {@code ip:port}; for access logs and apps. */
  static final String UPSTREAM_ATTRIBUTE = "tether.upstream";

  /** Envoy's body when no endpoint can serve. */
  static final String NO_HEALTHY_UPSTREAM = "no healthy upstream";

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
