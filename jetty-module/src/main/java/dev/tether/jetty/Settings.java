package dev.tether.jetty;

import dev.tether.Tether;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import dev.tether.core.config.ConfigKeys;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code tether.*} properties (Jetty) or init-parameters (servlet) into a
 * {@link TetherConfig} through the core's parser, so every container accepts the same keys with
 * the same checks and the same error text. A name that is not a key stops startup naming the key
 * it most likely misspells, as the valve refuses an unknown attribute: a proxy that ignored
 * {@code tether.sesionHeader} would move every session.
 */
final class Settings {
  private static final Logger LOG = LoggerFactory.getLogger("dev.tether.jetty");
  static final String PREFIX = "tether.";

  private Settings() {}

  /**
   * Parses the given keys. A {@code tether.} prefix is removed; null or blank values mean "not
   * set", so a Jetty XML {@code <Property>} with no value leaves the core's default in place.
   *
   * @throws ConfigException as {@code key: value (expected: ...)}, also logged at ERROR so it is
   *     visible in the server log even when the container only prints a wrapped stack trace
   */
  static TetherConfig parse(Map<String, String> properties, Path baseDir) {
    try {
      Map<String, String> keys = new LinkedHashMap<>();
      for (Map.Entry<String, String> property : properties.entrySet()) {
        String key = property.getKey();
        String value = property.getValue();
        if (key == null) {
          continue;
        }
        String name = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
        requireKey(key, name, value);
        if (value != null && !value.isBlank()) {
          keys.put(name, value.trim());
        }
      }
      return Tether.parseConfig(keys, baseDir);
    } catch (ConfigException e) {
      throw logged(e);
    }
  }

  /**
   * Refuses every {@code tether.*} property that is not a key: start.jar hands Jetty XML every
   * property of the base, and {@code etc/tether.xml} reads only the keys it lists, so without
   * this a misspelled one would be ignored in silence.
   *
   * @throws ConfigException as {@code tether.requestTimout: 2s (expected: a Tether key; did you
   *     mean requestTimeout?)}, also logged at ERROR
   */
  static void checkProperties(Map<String, String> properties) {
    try {
      for (Map.Entry<String, String> property : properties.entrySet()) {
        String key = property.getKey();
        if (key != null && key.startsWith(PREFIX)) {
          requireKey(key, key.substring(PREFIX.length()), property.getValue());
        }
      }
    } catch (ConfigException e) {
      throw logged(e);
    }
  }

  private static void requireKey(String given, String name, String value) {
    if (!ConfigKeys.isKey(name)) {
      throw new ConfigException(given, String.valueOf(value), ConfigKeys.expectedInsteadOf(name));
    }
  }

  private static ConfigException logged(ConfigException e) {
    LOG.error("Tether configuration rejected: {}", e.getMessage());
    return e;
  }
}
