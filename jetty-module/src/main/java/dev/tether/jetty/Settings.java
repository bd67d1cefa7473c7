package dev.tether.jetty;

import dev.tether.Tether;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code tether.*} properties (Jetty) or init-parameters (servlet) into a
 * {@link TetherConfig} through the core's parser, so every container accepts the same keys with
 * the same checks and the same error text.
 */
final class Settings {
  private static final Logger LOG = LoggerFactory.getLogger("dev.tether.jetty");
  private static final String PREFIX = "tether.";

  private Settings() {}

  /**
   * Parses the given keys. A {@code tether.} prefix is removed; null or blank values mean "not
   * set", so a Jetty XML {@code <Property>} with no value leaves the core's default in place.
   *
   * @throws ConfigException as {@code key: value (expected: ...)}, also logged at ERROR so it is
   *     visible in the server log even when the container only prints a wrapped stack trace
   */
  static TetherConfig parse(Map<String, String> properties, Path baseDir) {
    Map<String, String> keys = new LinkedHashMap<>();
    properties.forEach((key, value) -> {
      if (key != null && value != null && !value.isBlank()) {
        keys.put(key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key, value.trim());
      }
    });
    try {
      return Tether.parseConfig(keys, baseDir);
    } catch (ConfigException e) {
      LOG.error("Tether configuration rejected: {}", e.getMessage());
      throw e;
    }
  }
}
