package dev.tether.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hop-by-hop header fields, which describe one connection and must not cross a proxy (RFC 9110
 * section 7.6.1): {@code Connection}, every field it names, and the fields that are hop-by-hop by
 * definition. {@code Proxy-Authenticate} and {@code Proxy-Authorization} belong to the proxy hop
 * too, so they are dropped as Envoy drops them. One rule for the Jetty module and the Tomcat
 * valve, both ways; not public API.
 */
public final class HopByHop {
  private HopByHop() {}

  /** Lower-case names that are hop-by-hop whatever {@code Connection} says. */
  public static final Set<String> ALWAYS = Set.of(
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
      "upgrade", "proxy-authenticate", "proxy-authorization");

  /**
   * The lower-case names a message's {@code Connection} values list beyond {@link #ALWAYS}: empty
   * for the usual {@code keep-alive} or {@code close}, so that case allocates no set.
   */
  public static Set<String> connectionListed(List<String> connectionValues) {
    List<String> names = null;
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !ALWAYS.contains(name)) {
          if (names == null) {
            names = new ArrayList<>(2);
          }
          names.add(name);
        }
      }
    }
    return names == null ? Set.of() : Set.copyOf(names);
  }

  /**
   * Whether a field must not be forwarded.
   *
   * @param lowerCaseName the field's name, lower case
   * @param connectionListed what {@link #connectionListed} gave for the same message
   */
  public static boolean isHopByHop(String lowerCaseName, Set<String> connectionListed) {
    return ALWAYS.contains(lowerCaseName) || connectionListed.contains(lowerCaseName);
  }
}
