package dev.tether.api;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Stateful sessions (Envoy's {@code stateful_session} filter, Istio's
 * {@code istio.io/persistent-session} and {@code istio.io/persistent-session-header} labels).
 *
 * @param mode off, cookie or header
 * @param name cookie or header name
 * @param path cookie path: the session applies only to requests under it; empty or {@code /}
 *     for all
 * @param ttl cookie lifetime; zero for a session cookie without expiry
 * @param attributes attributes appended to the session {@code Set-Cookie}
 * @param strict answer 503 rather than rebalance when the named endpoint cannot serve
 * @param overrideHealth healths of an endpoint that a session may still be routed to
 * @param seal whether values are sealed (a Tether extension; off is Envoy's plain formats)
 */
public record SessionConfig(
    Mode mode, String name, String path, Duration ttl, List<CookieAttribute> attributes,
    boolean strict, Set<Health> overrideHealth, SessionSeal seal) {

  /** Where the session value travels. */
  public enum Mode {
    NONE,
    COOKIE,
    HEADER
  }

  /** Istio's override set for persistent sessions: Envoy's default plus DRAINING. */
  public static final Set<Health> ISTIO_OVERRIDE_HEALTH =
      Set.copyOf(EnumSet.of(Health.UNKNOWN, Health.HEALTHY, Health.DEGRADED, Health.DRAINING));

  /** No stateful session. */
  public static final SessionConfig NONE =
      new SessionConfig(Mode.NONE, "", "", Duration.ZERO, List.of(), false, ISTIO_OVERRIDE_HEALTH);

  public SessionConfig {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(ttl, "ttl");
    attributes = List.copyOf(attributes);
    overrideHealth = Set.copyOf(overrideHealth);
    Objects.requireNonNull(seal, "seal");
  }

  /** Envoy's plain session values, unsealed: the shape this record had before sealing. */
  public SessionConfig(
      Mode mode, String name, String path, Duration ttl, List<CookieAttribute> attributes,
      boolean strict, Set<Health> overrideHealth) {
    this(mode, name, path, ttl, attributes, strict, overrideHealth, SessionSeal.OFF);
  }
}
