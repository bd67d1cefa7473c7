package dev.tether.core.config;

import dev.tether.core.ConfigException;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * Parses durations in the syntax Istio's YAML uses (Go's {@code time.ParseDuration}): one or more
 * decimal numbers, each with a unit {@code ns}, {@code us}, {@code µs}, {@code ms}, {@code s},
 * {@code m} or {@code h}, as in {@code 0s}, {@code 500ms}, {@code 1h30m}, {@code 1.5s}; a bare
 * {@code 0} is zero. Negative durations are rejected: no Tether setting means anything by them.
 *
 * <p>Public for a front end's own settings (the valve's {@code drainTimeout}), so that every
 * duration a user writes has the one syntax; the keys of the table reach it through the parser.
 */
public final class Durations {
  static final String EXPECTED = "a duration such as 0s, 500ms, 30s, 1h";

  private Durations() {}

  /**
   * {@code text} as a duration.
   *
   * @throws ConfigException {@code key: text (expected: a duration such as ...)}
   */
  public static Duration parse(String key, String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw new ConfigException(key, text, EXPECTED);
    }
    BigDecimal nanos = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (i == start || i == s.length()) {
        throw new ConfigException(key, text, EXPECTED);
      }
      BigDecimal number;
      try {
        number = new BigDecimal(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw new ConfigException(key, text, EXPECTED, e);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      long unit = unitNanos(s.substring(unitStart, i));
      if (unit == 0) {
        throw new ConfigException(key, text, EXPECTED);
      }
      nanos = nanos.add(number.multiply(BigDecimal.valueOf(unit)));
    }
    try {
      return Duration.ofNanos(nanos.longValueExact());
    } catch (ArithmeticException e) {
      throw new ConfigException(key, text, EXPECTED + ", in whole nanoseconds and under 292 years", e);
    }
  }

  /**
   * {@code duration} in the same syntax, in its largest whole unit: {@code 0s}, {@code 500ms},
   * {@code 30s}, {@code 1h}, {@code 90m}. Parsing the text gives the duration back.
   */
  public static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    String[] units = {"h", "m", "s", "ms", "us", "ns"};
    for (String unit : units) {
      long size = unitNanos(unit);
      if (nanos % size == 0) {
        return nanos / size + unit;
      }
    }
    throw new AssertionError(duration);
  }

  private static long unitNanos(String unit) {
    switch (unit) {
      case "ns":
        return 1L;
      case "us":
      case "µs":
      case "μs":
        return 1_000L;
      case "ms":
        return 1_000_000L;
      case "s":
        return 1_000_000_000L;
      case "m":
        return 60_000_000_000L;
      case "h":
        return 3_600_000_000_000L;
      default:
        return 0;
    }
  }
}
