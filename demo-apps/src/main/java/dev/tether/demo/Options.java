package dev.tether.demo;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options: {@code --key value} or {@code --key=value} for the names that take a
 * value, bare {@code --flag} for the others. Unknown options are errors, so a typo never silently
 * runs the default.
 */
final class Options {

  private final Map<String, String> values;
  private final Set<String> flags;

  private Options(Map<String, String> values, Set<String> flags) {
    this.values = values;
    this.flags = flags;
  }

  /**
   * Parses {@code args}.
   *
   * @param valued options that take a value
   * @param flagNames options that take none; {@code --help} and {@code -h} are always accepted
   * @throws IllegalArgumentException naming the bad argument
   */
  static Options parse(String[] args, List<String> valued, List<String> flagNames) {
    Map<String, String> values = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int equals = arg.indexOf('=');
      String key = equals > 0 ? arg.substring(0, equals) : arg;
      if (valued.contains(key)) {
        String value;
        if (equals > 0) {
          value = arg.substring(equals + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException(key + ": missing value");
        }
        values.put(key, value);
      } else if (arg.equals("--help") || arg.equals("-h")) {
        flags.add("--help");
      } else if (flagNames.contains(arg)) {
        flags.add(arg);
      } else {
        throw new IllegalArgumentException("unknown option: " + arg);
      }
    }
    return new Options(values, flags);
  }

  String value(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  /** A port option: 0 to 65535. */
  int port(String key, int fallback) {
    String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + ": " + value + " (expected: 0 to 65535)");
  }
}
