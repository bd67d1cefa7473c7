package dev.tether.core.config;

/**
 * One row of the configuration table ({@link ConfigKeys}): a key's name, its default, the
 * syntax that reads it, and the line that documents it. The Jetty module's {@code tether.mod}
 * and {@code tether.xml}, the Tomcat valve's attributes, the CLI's flags and the README's
 * configuration reference all list exactly these rows, checked by tests.
 *
 * @param <T> the type of the key's value
 */
public final class ConfigKey<T> {
  private final String name;
  private final T defaultValue;
  private final Syntax<T> syntax;
  private final String defaultNote;
  private final String documentation;
  private final String equivalent;

  ConfigKey(String name, T defaultValue, Syntax<T> syntax, String defaultNote,
      String documentation, String equivalent) {
    this.name = name;
    this.defaultValue = defaultValue;
    this.syntax = syntax;
    this.defaultNote = defaultNote;
    this.documentation = documentation;
    this.equivalent = equivalent;
  }

  /** The key, without the Jetty module's {@code tether.} prefix. */
  public String name() {
    return name;
  }

  /** The default as the key would be written, for example {@code 10s}; empty for none. */
  public String defaultText() {
    return syntax.format(defaultValue);
  }

  /**
   * What the default means when its text does not say it: {@code required} (no default at
   * all), {@code off} (the default turns the feature off), or empty.
   */
  public String defaultNote() {
    return defaultNote;
  }

  /** What the key does, one line of Markdown (code in backticks, links to README sections). */
  public String documentation() {
    return documentation;
  }

  /** The Istio or Envoy setting it corresponds to, one line of Markdown. */
  public String equivalent() {
    return equivalent;
  }

  /** The default value, as the parser applies it to an unset key. */
  T defaultValue() {
    return defaultValue;
  }

  /** Reads this key's text, which is not blank. */
  T parse(String text) {
    return syntax.parse(name, text);
  }

  @Override
  public String toString() {
    return name + "=" + defaultText();
  }
}
