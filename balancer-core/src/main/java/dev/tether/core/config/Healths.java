package dev.tether.core.config;

import dev.tether.api.Health;
import dev.tether.core.ConfigException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code sessionOverrideHealth}: comma-separated health states, at least one, in any case. */
final class Healths {
  static final Syntax<Set<Health>> SYNTAX = new Syntax<>() {
    @Override
    public Set<Health> parse(String key, String text) {
      return Healths.parse(key, text);
    }

    /** In declaration order, whatever order the set iterates in. */
    @Override
    public String format(Set<Health> value) {
      List<String> names = new ArrayList<>();
      for (Health health : Health.values()) {
        if (value.contains(health)) {
          names.add(health.name());
        }
      }
      return String.join(",", names);
    }
  };

  private Healths() {}

  static Set<Health> parse(String key, String text) {
    Set<Health> set = EnumSet.noneOf(Health.class);
    for (String item : text.split(",")) {
      String name = item.trim();
      if (name.isEmpty()) {
        continue;
      }
      try {
        set.add(Health.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, text,
            "comma-separated UNKNOWN, HEALTHY, DEGRADED, UNHEALTHY, DRAINING", e);
      }
    }
    if (set.isEmpty()) {
      throw new ConfigException(key, text, "at least one health state");
    }
    return set;
  }
}
