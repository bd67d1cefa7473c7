package dev.tether.tomcat;

import dev.tether.core.ConfigException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The attributes only the valve reads: which requests it handles and how long it waits for a
 * backend. They are kept apart from the core's keys so the core's parser sees exactly the keys the
 * Jetty module passes it.
 *
 * @param pathPrefix requests whose normalized path is under it are proxied; others go down the
 *     pipeline
 * @param requestTimeout the longest wait for a backend's response headers, counted from the end of
 *     the request (a long upload does not use it up); then 504. A response body has no timeout
 * @param connectTimeout the longest wait for a TCP connection to a backend; a connection not made
 *     in time counts as a connect failure, so it is retried like a refused one
 */
record ValveOptions(String pathPrefix, Duration requestTimeout, Duration connectTimeout) {

  static final String PATH_PREFIX = "pathPrefix";
  static final String REQUEST_TIMEOUT = "requestTimeout";
  static final String CONNECT_TIMEOUT = "connectTimeout";

  /** Valve-only attributes with their defaults, in documentation order. */
  static final Map<String, String> DEFAULTS = defaults();

  static final Set<String> KEYS = DEFAULTS.keySet();

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\\u00b5s|ms|s|m|h)");
  private static final String DURATION_EXPECTED =
      "a positive duration such as 30s, 1.5s, 500ms or 1h30m";

  private static Map<String, String> defaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put(PATH_PREFIX, "/");
    defaults.put(REQUEST_TIMEOUT, "30s");
    defaults.put(CONNECT_TIMEOUT, "5s");
    return java.util.Collections.unmodifiableMap(defaults);
  }

  /**
   * Reads the valve-only attributes from {@code attributes}; absent ones take their defaults.
   *
   * @throws ConfigException naming the attribute, its value and what was expected
   */
  static ValveOptions parse(Map<String, String> attributes) {
    String pathPrefix = attributes.getOrDefault(PATH_PREFIX, DEFAULTS.get(PATH_PREFIX)).trim();
    if (!pathPrefix.startsWith("/")) {
      throw new ConfigException(PATH_PREFIX, pathPrefix, "a path starting with /, such as /api");
    }
    return new ValveOptions(
        pathPrefix, duration(attributes, REQUEST_TIMEOUT), duration(attributes, CONNECT_TIMEOUT));
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

  private static Duration duration(Map<String, String> attributes, String key) {
    String value = attributes.getOrDefault(key, DEFAULTS.get(key)).trim();
    Duration parsed = parseDuration(value);
    if (parsed == null || parsed.isZero()) {
      throw new ConfigException(key, value, DURATION_EXPECTED);
    }
    return parsed;
  }

  /**
   * Parses durations as Istio writes them (Go's {@code time.ParseDuration}, the syntax the core's
   * {@code sessionCookieTtl} takes): decimal numbers with a unit each, as in {@code 30s},
   * {@code 1.5s}, {@code 1h30m} or {@code 250ms}; null when {@code value} is not one.
   */
  static Duration parseDuration(String value) {
    Matcher part = DURATION_PART.matcher(value);
    BigDecimal nanos = BigDecimal.ZERO;
    int end = 0;
    while (end < value.length() && part.find(end) && part.start() == end) {
      BigDecimal unit = BigDecimal.valueOf(switch (part.group(2)) {
        case "ns" -> 1L;
        case "us", "\u00b5s" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      });
      nanos = nanos.add(new BigDecimal(part.group(1)).multiply(unit));
      end = part.end();
    }
    if (end == 0 || end != value.length()) {
      return null;
    }
    try {
      return Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
    } catch (ArithmeticException tooLong) {
      return null;
    }
  }
}
