package dev.tether.tomcat;

import dev.tether.core.ConfigException;
import java.util.Map;
import java.util.Set;

/**
 * The one attribute only the valve reads: which requests it handles. It is kept apart from the
 * core's keys so the core's parser sees exactly the keys the Jetty module passes it. Timeouts are
 * core keys ({@code connectTimeout}, {@code requestTimeout}, {@code perTryTimeout},
 * {@code idleTimeout}), the same on every front end; the valve's own {@code requestTimeout} and
 * {@code connectTimeout} attributes of earlier versions have the same names, so old
 * {@code server.xml} files keep working.
 *
 * @param pathPrefix requests whose normalized path is under it are proxied; others go down the
 *     pipeline
 */
record ValveOptions(String pathPrefix) {

  static final String PATH_PREFIX = "pathPrefix";

  /** Every request: the default of {@code pathPrefix}. */
  static final String DEFAULT_PATH_PREFIX = "/";

  /** The valve-only attributes. */
  static final Set<String> KEYS = Set.of(PATH_PREFIX);

  /**
   * Reads the valve-only attributes from {@code attributes}; absent ones take their defaults.
   *
   * @throws ConfigException naming the attribute, its value and what was expected
   */
  static ValveOptions parse(Map<String, String> attributes) {
    String pathPrefix = attributes.getOrDefault(PATH_PREFIX, DEFAULT_PATH_PREFIX).trim();
    if (!pathPrefix.startsWith("/")) {
      throw new ConfigException(PATH_PREFIX, pathPrefix, "a path starting with /, such as /api");
    }
    return new ValveOptions(pathPrefix);
  }

  /**
   * Whether {@code path} (decoded and normalized, as Tomcat maps it) is under the prefix: the
   * prefix itself, or the prefix followed by {@code /}. {@code /api} covers {@code /api} and
   * {@code /api/x}, not {@code /apix}; a prefix ending in {@code /} covers everything below it.
   */
  boolean covers(String path) {
    if (pathPrefix.length() == 1) {
      return true;
    }
    if (path == null || !path.startsWith(pathPrefix)) {
      return false;
    }
    return path.length() == pathPrefix.length()
        || pathPrefix.charAt(pathPrefix.length() - 1) == '/'
        || path.charAt(pathPrefix.length()) == '/';
  }
}
