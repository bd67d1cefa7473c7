package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.core.ConfigException;

/** The shape every configuration error must have, for the fuzz targets of the readers. */
final class ConfigMessages {
  private ConfigMessages() {}

  /**
   * {@code key: value (expected: ...)}, on {@code keyPrefix} or one of its sub-keys, with
   * something said after "expected".
   */
  static void check(ConfigException e, String keyPrefix) {
    assertThat(e.key()).satisfiesAnyOf(
        key -> assertThat(key).isEqualTo(keyPrefix),
        key -> assertThat(key).startsWith(keyPrefix + "."));
    String head = e.key() + ": " + e.value() + " (expected: ";
    assertThat(e.getMessage()).startsWith(head).endsWith(")");
    assertThat(e.getMessage().length()).as("something expected").isGreaterThan(head.length() + 1);
  }
}
