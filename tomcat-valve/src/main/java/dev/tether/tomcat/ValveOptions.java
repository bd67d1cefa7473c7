package dev.tether.tomcat;

import dev.tether.core.ConfigException;
import dev.tether.core.config.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The attributes only the valve reads: which requests it handles, and how long it drains when
 * Tomcat stops. They are kept apart from the core's keys so the core's parser sees exactly the
 * keys the Jetty module passes it. The drain time is the valve's because on Jetty it is the
 * server's own {@code jetty.server.stopTimeout}: Tomcat has no setting that bounds a wait for
 * requests an Engine valve serves ({@code unloadDelay} is a Context's, for its servlets). Timeouts are
 * core keys ({@code connectTimeout}, {@code requestTimeout}, {@code perTryTimeout},
 * {@code idleTimeout}), the same on every front end; the valve's own {@code requestTimeout} and
 * {@code connectTimeout} attributes of earlier versions have the same names, so old
 * {@code server.xml} files keep working.
 *
 * @param pathPrefix requests whose normalized path is under it are proxied; others go down the
 *     pipeline
 * @param drainTimeout when Tomcat stops, the longest the valve waits for its requests and tunnels
 *     in flight before it closes what is left; zero closes at once
 */
record ValveOptions(String pathPrefix, Duration drainTimeout) {

  static final String PATH_PREFIX = "pathPrefix";

  static final String DRAIN_TIMEOUT = "drainTimeout";

  /** Every request: the default of {@code pathPrefix}. */
  static final String DEFAULT_PATH_PREFIX = "/";

  /**
   * The default of {@code drainTimeout}: Jetty's default {@code stopTimeout} (5000 ms) and Istio's
   * default {@code terminationDrainDuration}, so both front ends drain alike out of the box.
   */
  static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  /** The valve-only attributes. */
  static final Set<String> KEYS = Set.of(PATH_PREFIX, DRAIN_TIMEOUT);

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
    String drain = attributes.get(DRAIN_TIMEOUT);
    Duration drainTimeout =
        drain == null ? DEFAULT_DRAIN_TIMEOUT : Durations.parse(DRAIN_TIMEOUT, drain);
    return new ValveOptions(pathPrefix, drainTimeout);
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
