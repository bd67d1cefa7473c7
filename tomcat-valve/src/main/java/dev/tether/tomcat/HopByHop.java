package dev.tether.tomcat;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hop-by-hop header fields, which describe one connection and must not be forwarded (RFC 9110
 * section 7.6.1): {@code Connection}, every field it names, and the fields that are hop-by-hop by
 * definition. {@code Proxy-Authenticate} and {@code Proxy-Authorization} belong to the proxy hop
 * too, so they are dropped as Envoy and Jetty drop them.
 */
final class HopByHop {
  private HopByHop() {}

  /** Lower-case names that are hop-by-hop whatever {@code Connection} says. */
  static final Set<String> ALWAYS = Set.of(
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
      "upgrade", "proxy-authenticate", "proxy-authorization");

  /**
   * The lower-case names to drop from a message whose {@code Connection} field values are
   * {@code connectionValues}.
   */
  static Set<String> namesToDrop(List<String> connectionValues) {
    // Mostly "keep-alive" or "close", already dropped: copy the set only for a name it lacks.
    Set<String> drop = ALWAYS;
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !drop.contains(name)) {
          if (drop == ALWAYS) {
            drop = new HashSet<>(ALWAYS);
          }
          drop.add(name);
        }
      }
    }
    return drop;
  }
}
