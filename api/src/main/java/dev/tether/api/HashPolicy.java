package dev.tether.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One request hash policy (Envoy's {@code RouteAction.HashPolicy}).
 *
 * @param type what the policy hashes
 * @param name header, cookie or query parameter name; empty for {@link Type#SOURCE_IP}
 * @param ttl cookie policies: when non-null, a missing cookie is generated with this Max-Age
 *     (zero: a session cookie); null: a missing cookie yields no value
 * @param path cookie policies: the generated cookie's Path; empty for none
 * @param attributes cookie policies: attributes of the generated cookie
 * @param terminal stop evaluating later policies once a hash exists
 */
public record HashPolicy(
    Type type, String name, Duration ttl, String path, List<CookieAttribute> attributes,
    boolean terminal) {

  /** What a policy hashes. */
  public enum Type {
    HEADER,
    COOKIE,
    SOURCE_IP,
    QUERY_PARAMETER
  }

  public HashPolicy {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    attributes = List.copyOf(attributes);
  }

  public static HashPolicy header(String name) {
    return new HashPolicy(Type.HEADER, name, null, "", List.of(), false);
  }

  public static HashPolicy cookie(String name, Duration ttl, String path) {
    return new HashPolicy(Type.COOKIE, name, ttl, path, List.of(), false);
  }

  public static HashPolicy sourceIp() {
    return new HashPolicy(Type.SOURCE_IP, "", null, "", List.of(), false);
  }

  public static HashPolicy queryParameter(String name) {
    return new HashPolicy(Type.QUERY_PARAMETER, name, null, "", List.of(), false);
  }

  /** This policy, marked terminal. */
  public HashPolicy asTerminal() {
    return new HashPolicy(type, name, ttl, path, attributes, true);
  }
}
