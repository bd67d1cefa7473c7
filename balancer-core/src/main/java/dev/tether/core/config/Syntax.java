package dev.tether.core.config;

import dev.tether.core.ConfigException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the text of one key becomes a value, and a value its text: the "parser" of each row of
 * {@link ConfigKeys}. Parsing checks everything the key alone can tell (the syntax, a range) and
 * throws a {@link ConfigException} naming the key, the text and what was expected; rules that tie
 * keys together are the parser's and {@code TetherConfig.Builder.build}'s. Formatting gives the
 * text of a default, so that a default is written once, as a typed constant.
 */
interface Syntax<T> {

  T parse(String key, String text);

  String format(T value);

  /** The text as given (trimmed by whoever reads it). */
  static Syntax<String> text() {
    return new Syntax<>() {
      @Override
      public String parse(String key, String text) {
        return text;
      }

      @Override
      public String format(String value) {
        return value;
      }
    };
  }

  /** {@code true} or {@code false}, in any case. */
  static Syntax<Boolean> bool() {
    return new Syntax<>() {
      @Override
      public Boolean parse(String key, String text) {
        if (text.equalsIgnoreCase("true")) {
          return true;
        }
        if (text.equalsIgnoreCase("false")) {
          return false;
        }
        throw new ConfigException(key, text, "true or false");
      }

      @Override
      public String format(Boolean value) {
        return value.toString();
      }
    };
  }

  /** A whole number from {@code min} to {@code max}. */
  static Syntax<Long> wholeNumber(long min, long max, String expected) {
    return new Syntax<>() {
      @Override
      public Long parse(String key, String text) {
        try {
          long n = Long.parseLong(text);
          if (n >= min && n <= max) {
            return n;
          }
        } catch (NumberFormatException e) {
          throw new ConfigException(key, text, expected, e);
        }
        throw new ConfigException(key, text, expected);
      }

      @Override
      public String format(Long value) {
        return value.toString();
      }
    };
  }

  /** A duration in Istio's syntax, zero allowed. */
  static Syntax<Duration> duration() {
    return new Syntax<>() {
      @Override
      public Duration parse(String key, String text) {
        return Durations.parse(key, text);
      }

      @Override
      public String format(Duration value) {
        return Durations.format(value);
      }
    };
  }

  /** A duration in Istio's syntax, above zero. */
  static Syntax<Duration> positiveDuration() {
    return new Syntax<>() {
      @Override
      public Duration parse(String key, String text) {
        Duration duration = Durations.parse(key, text);
        if (duration.isZero()) {
          throw new ConfigException(key, text, "a duration above zero, such as 500ms or 5s");
        }
        return duration;
      }

      @Override
      public String format(Duration value) {
        return Durations.format(value);
      }
    };
  }

  /** A constant of {@code type} by name, in any case; written in upper case. */
  static <E extends Enum<E>> Syntax<E> constant(Class<E> type, String expected) {
    return new Syntax<>() {
      @Override
      public E parse(String key, String text) {
        try {
          return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(key, text, expected, e);
        }
      }

      @Override
      public String format(E value) {
        return value.name();
      }
    };
  }

  /** A constant of {@code type} by name, in any case; written in lower case. */
  static <E extends Enum<E>> Syntax<E> lowerCaseConstant(Class<E> type, String expected) {
    return new Syntax<>() {
      @Override
      public E parse(String key, String text) {
        for (E constant : type.getEnumConstants()) {
          if (constant.name().equalsIgnoreCase(text)) {
            return constant;
          }
        }
        throw new ConfigException(key, text, expected);
      }

      @Override
      public String format(E value) {
        return value.name().toLowerCase(Locale.ROOT);
      }

      @Override
      public String toString() {
        return Arrays.toString(type.getEnumConstants());
      }
    };
  }
}
