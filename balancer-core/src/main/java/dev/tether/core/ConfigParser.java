package dev.tether.core;

import dev.tether.api.TetherConfig;
import java.nio.file.Path;
import java.util.Map;

final class ConfigParser {
  static final Map<String, String> DEFAULTS = Map.of();

  private ConfigParser() {}

  static TetherConfig parse(Map<String, String> properties, Path baseDir) {
    throw new UnsupportedOperationException("in progress");
  }
}
