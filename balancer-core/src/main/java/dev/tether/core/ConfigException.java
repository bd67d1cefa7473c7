package dev.tether.core;

/**
 * A configuration value Tether cannot start with. The message always reads
 * {@code key: value (expected: what would have been accepted)}, so an operator can find and fix
 * the setting without reading code.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String value;

  public ConfigException(String key, String value, String expected) {
    super(key + ": " + value + " (expected: " + expected + ")");
    this.key = key;
    this.value = value;
  }

  public ConfigException(String key, String value, String expected, Throwable cause) {
    this(key, value, expected);
    initCause(cause);
  }

  /** The configuration key, for example {@code minimumRingSize}. */
  public String key() {
    return key;
  }

  /** The rejected value as given. */
  public String value() {
    return value;
  }
}
