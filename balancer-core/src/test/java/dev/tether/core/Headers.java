package dev.tether.core;

import dev.tether.api.HeaderFields;
import dev.tether.api.HeaderSink;
import java.util.List;

/** Header fields and sinks for tests that read what an exchange writes as text lines. */
public final class Headers {
  private Headers() {}

  public static HeaderFields none() {
    return of();
  }

  /** Fields from alternating names and values. */
  public static HeaderFields of(String... namesAndValues) {
    return new HeaderFields() {
      @Override
      public int size() {
        return namesAndValues.length / 2;
      }

      @Override
      public String name(int index) {
        return namesAndValues[2 * index];
      }

      @Override
      public String value(int index) {
        return namesAndValues[2 * index + 1];
      }
    };
  }

  /** A sink writing {@code "add Name: value"} or {@code "set Name: value"} lines. */
  public static HeaderSink into(List<String> lines) {
    return new HeaderSink() {
      @Override
      public void add(String name, String value) {
        lines.add("add " + name + ": " + value);
      }

      @Override
      public void set(String name, String value) {
        lines.add("set " + name + ": " + value);
      }
    };
  }
}
