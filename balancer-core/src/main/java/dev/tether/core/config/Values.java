package dev.tether.core.config;

import java.util.Map;

/**
 * The keys as given, read through the table: a key that is absent, null or blank is unset and
 * reads as its default; a set key is trimmed and parsed by its syntax, so an error names the key
 * and the text as given.
 */
final class Values {
  private final Map<String, String> given;

  Values(Map<String, String> given) {
    this.given = given;
  }

  boolean isSet(ConfigKey<?> key) {
    String value = given.get(key.name());
    return value != null && !value.trim().isEmpty();
  }

  /** Whether any of {@code keys} is set. */
  boolean anySet(Iterable<ConfigKey<?>> keys) {
    for (ConfigKey<?> key : keys) {
      if (isSet(key)) {
        return true;
      }
    }
    return false;
  }

  /** The trimmed text, or the default's text when unset. */
  String raw(ConfigKey<?> key) {
    return isSet(key) ? given.get(key.name()).trim() : key.defaultText();
  }

  /** The value: parsed when set, the default when not. */
  <T> T get(ConfigKey<T> key) {
    return isSet(key) ? key.parse(given.get(key.name()).trim()) : key.defaultValue();
  }

  /** {@link #get} of a whole-number key, as an int (every such key's range fits one). */
  int getInt(ConfigKey<Long> key) {
    return Math.toIntExact(get(key));
  }
}
