package dev.tether.api;

import java.util.Objects;

/**
 * An attribute appended to a generated {@code Set-Cookie}: {@code ; Name} when the value is empty,
 * else {@code ; Name=Value} (Envoy's {@code CookieAttribute}).
 */
public record CookieAttribute(String name, String value) {
  public CookieAttribute {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
