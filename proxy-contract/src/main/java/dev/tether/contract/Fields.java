package dev.tether.contract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Header fields exactly as one side of a connection saw them: one entry per field line, in
 * order, names as written. Tests of a proxy need the raw view (how many {@code Host} lines, the
 * order of {@code Set-Cookie}s, a name that must be absent), which library clients normalise
 * away.
 */
final class Fields {
  private final List<String> names;
  private final List<String> values;

  Fields(List<String> names, List<String> values) {
    this.names = Collections.unmodifiableList(new ArrayList<>(names));
    this.values = Collections.unmodifiableList(new ArrayList<>(values));
  }

  /** How many field lines there are. */
  public int size() {
    return names.size();
  }

  /** The name of line {@code index}, as written. */
  public String name(int index) {
    return names.get(index);
  }

  /** The value of line {@code index}, without surrounding whitespace. */
  public String value(int index) {
    return values.get(index);
  }

  /** Every value of {@code name} (any case), in order; empty when absent. */
  public List<String> all(String name) {
    List<String> found = new ArrayList<>(2);
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        found.add(values.get(i));
      }
    }
    return found;
  }

  /** The first value of {@code name}, or null when absent. */
  public String first(String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        return values.get(i);
      }
    }
    return null;
  }

  /** Whether any line has this name. */
  public boolean has(String name) {
    return first(name) != null;
  }

  /**
   * Whether some value of {@code name}, read as a comma-separated list, has {@code token}
   * (ignoring case): {@code Connection: keep-alive, Upgrade} lists {@code upgrade}.
   */
  public boolean lists(String name, String token) {
    for (String value : all(name)) {
      for (String item : value.split(",")) {
        if (item.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every name, lower case, in order (a repeated name repeats). */
  public List<String> lowerCaseNames() {
    List<String> lower = new ArrayList<>(names.size());
    for (String name : names) {
      lower.add(name.toLowerCase(Locale.ROOT));
    }
    return lower;
  }

  /** The lines as {@code name: value}, one per line, for failure messages. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      out.append(names.get(i)).append(": ").append(values.get(i)).append('\n');
    }
    return out.toString();
  }
}
