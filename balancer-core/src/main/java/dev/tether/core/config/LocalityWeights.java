package dev.tether.core.config;

import dev.tether.core.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code localityWeights}: comma-separated {@code LOCALITY=WEIGHT}, each locality once, weights
 * 0 to 4294967295 (EDS's {@code uint32}); a weight above the largest int counts as the largest
 * int, which no sum of real weights reaches.
 */
final class LocalityWeights {
  static final String EXPECTED =
      "comma-separated LOCALITY=WEIGHT, each locality once, weights 0 to 4294967295";

  static final Syntax<Map<String, Integer>> SYNTAX = new Syntax<>() {
    @Override
    public Map<String, Integer> parse(String key, String text) {
      return LocalityWeights.parse(key, text);
    }

    @Override
    public String format(Map<String, Integer> value) {
      List<String> items = new ArrayList<>();
      value.forEach((locality, weight) -> items.add(locality + "=" + weight));
      return String.join(",", items);
    }
  };

  private LocalityWeights() {}

  static Map<String, Integer> parse(String key, String text) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    if (text.trim().isEmpty()) {
      return weights;
    }
    for (String item : text.split(",", -1)) {
      int equals = item.indexOf('=');
      String name = equals < 0 ? "" : item.substring(0, equals).trim();
      String value = equals < 0 ? "" : item.substring(equals + 1).trim();
      long weight;
      try {
        weight = Long.parseLong(value);
      } catch (NumberFormatException e) {
        weight = -1;
      }
      if (equals <= 0 || weight < 0 || weight > 0xFFFFFFFFL || weights.containsKey(name)) {
        throw new ConfigException(key, text, EXPECTED);
      }
      weights.put(name, (int) Math.min(weight, Integer.MAX_VALUE));
    }
    return weights;
  }
}
