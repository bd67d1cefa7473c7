package dev.tether.core.config;

import dev.tether.api.RetryPolicy;
import dev.tether.core.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses {@code retryOn} the way Istio reads a VirtualService's {@code retries.retryOn}: a
 * comma-separated list of Envoy retry conditions, where a bare HTTP status code (such as
 * {@code 503}) is added to the retriable status codes and switches on
 * {@code retriable-status-codes}. Unknown conditions are errors rather than silently ignored.
 *
 * @see <a href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on">
 *     Envoy retry conditions</a>
 */
final class RetryOnParser {
  /** Every condition Envoy's router and gRPC retry policies accept. */
  static final Set<String> CONDITIONS = Set.of(
      "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure",
      "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes",
      "retriable-headers", "http3-post-connect-failure",
      "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");

  static final String EXPECTED = "comma-separated Envoy retry conditions (connect-failure, reset,"
      + " 5xx, gateway-error, retriable-4xx, retriable-status-codes, refused-stream, ...) and HTTP"
      + " status codes 100 to 599";

  private RetryOnParser() {}

  static RetryPolicy parse(String key, String text, int retries) {
    Set<String> conditions = new LinkedHashSet<>();
    Set<Integer> codes = new LinkedHashSet<>();
    for (String item : text.split(",")) {
      String token = item.trim();
      if (token.isEmpty()) {
        continue;
      }
      if (!token.isEmpty() && token.chars().allMatch(Character::isDigit)) {
        int code;
        try {
          code = Integer.parseInt(token);
        } catch (NumberFormatException e) {
          throw new ConfigException(key, text, EXPECTED, e);
        }
        if (code < 100 || code > 599) {
          throw new ConfigException(key, text, EXPECTED);
        }
        codes.add(code);
      } else if (CONDITIONS.contains(token)) {
        conditions.add(token);
      } else {
        throw new ConfigException(key, text, EXPECTED + "; not " + token);
      }
    }
    if (!codes.isEmpty()) {
      conditions.add("retriable-status-codes");
    }
    List<String> ordered = new ArrayList<>(conditions);
    return new RetryPolicy(retries, ordered, codes);
  }

  /**
   * {@code policy}'s conditions as {@code retryOn} is written, the retriable status codes as bare
   * codes in place of {@code retriable-status-codes}: parsing the text gives the policy back.
   */
  static String format(RetryPolicy policy) {
    List<String> items = new ArrayList<>();
    for (String condition : policy.retryOn()) {
      if (!condition.equals("retriable-status-codes") || policy.retriableStatusCodes().isEmpty()) {
        items.add(condition);
      }
    }
    policy.retriableStatusCodes().stream().sorted().forEach(code -> items.add(code.toString()));
    return String.join(",", items);
  }
}
