package dev.tether.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether stateful-session values are sealed. Envoy's values are the backend's {@code ip:port} in
 * Base64: any client can read which backend it is on and write another current endpoint into the
 * value. A sealed value is that address and an expiry encrypted and authenticated with a key from
 * a key ring file, so a client can neither read nor forge it. {@link Mode#MIGRATE} still honours
 * Envoy's plain values and re-issues them sealed, so sessions started behind an Istio gateway
 * survive the move to sealed values.
 *
 * @param mode off (Envoy's plain formats), sealed, or migrate
 * @param keysFile absolute path of the key ring file; empty when {@code mode} is off
 * @param ttl lifetime sealed into each value; zero for none
 * @param refreshRate how often the key ring file is checked for changes (rotation without a
 *     restart); zero when {@code mode} is off
 */
public record SessionSeal(Mode mode, String keysFile, Duration ttl, Duration refreshRate) {

  /** How session values are written and which ones are read. */
  public enum Mode {
    /** Envoy's plain values, written and read as Envoy does. */
    OFF,
    /** Sealed values written; only sealed values read. */
    SEALED,
    /**
     * Sealed values written; sealed values and Envoy's plain values read. A plain value that is
     * honoured is answered with the same session sealed.
     */
    MIGRATE
  }

  /** No sealing: Envoy's plain formats, unchanged. */
  public static final SessionSeal OFF = new SessionSeal(Mode.OFF, "", Duration.ZERO, Duration.ZERO);

  public SessionSeal {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(keysFile, "keysFile");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(refreshRate, "refreshRate");
  }

  /** Whether responses carry sealed values. */
  public boolean enabled() {
    return mode != Mode.OFF;
  }
}
