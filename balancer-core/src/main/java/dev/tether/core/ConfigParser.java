package dev.tether.core;

import dev.tether.api.CookieAttribute;
import dev.tether.api.Endpoint;
import dev.tether.api.EndpointSource;
import dev.tether.api.HashFunction;
import dev.tether.api.HashPolicy;
import dev.tether.api.Health;
import dev.tether.api.HealthCheck;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.OutlierDetection;
import dev.tether.api.RetryPolicy;
import dev.tether.api.SessionConfig;
import dev.tether.api.SessionSeal;
import dev.tether.api.TetherConfig;
import dev.tether.api.Timeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns configuration keys into a {@link TetherConfig}. Every check says which key, which value
 * and what was expected; cross-field rules are checked once all keys are read. A DestinationRule,
 * when given, supplies values first and flat keys override it.
 */
final class ConfigParser {
  /** Every key and its default, in the order the documentation lists them. */
  static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("endpoints", "");
    d.put("dnsRefreshRate", "5s");
    d.put("fileRefreshRate", "1s");
    d.put("loadBalancer", "RING_HASH");
    d.put("minimumRingSize", "1024");
    d.put("maximumRingSize", "8388608");
    d.put("hashFunction", "XX_HASH");
    d.put("tableSize", "65537");
    d.put("useHostnameForHashing", "false");
    d.put("panicThreshold", "50");
    d.put("localityWeights", "");
    d.put("hashBalanceFactor", "0");
    d.put("hashPolicy", "");
    d.put("sessionCookie", "");
    d.put("sessionCookieTtl", "0s");
    d.put("sessionCookieAttributes", "");
    d.put("sessionHeader", "");
    d.put("sessionStrict", "false");
    d.put("sessionOverrideHealth", "UNKNOWN,HEALTHY,DEGRADED,DRAINING");
    d.put("sessionSeal", "off");
    d.put("sessionSealKeys", "");
    d.put("sessionSealTtl", "0s");
    d.put("destinationRule", "");
    d.put("healthCheckPath", "");
    d.put("healthCheckInterval", "10s");
    d.put("healthCheckTimeout", "1s");
    d.put("healthyThreshold", "1");
    d.put("unhealthyThreshold", "3");
    d.put("consecutive5xxErrors", "5");
    d.put("consecutiveGatewayErrors", "0");
    d.put("outlierInterval", "10s");
    d.put("baseEjectionTime", "30s");
    d.put("maxEjectionPercent", "10");
    d.put("minHealthPercent", "0");
    d.put("retries", "2");
    d.put("retryOn", "connect-failure,refused-stream,unavailable,cancelled,503");
    d.put("connectTimeout", "10s");
    d.put("requestTimeout", "30s");
    d.put("perTryTimeout", "0s");
    d.put("idleTimeout", "1h");
    d.put("name", TetherConfig.DEFAULT_NAME);
    DEFAULTS = Collections.unmodifiableMap(d);
  }

  /** Envoy's upper bound on Maglev table sizes. */
  static final long MAX_TABLE_SIZE = 5_000_011;

  private ConfigParser() {}

  static TetherConfig parse(Map<String, String> properties, Path baseDir) {
    for (Map.Entry<String, String> entry : properties.entrySet()) {
      if (!DEFAULTS.containsKey(entry.getKey())) {
        throw new ConfigException(entry.getKey(), String.valueOf(entry.getValue()),
            "a known key: " + String.join(", ", DEFAULTS.keySet()));
      }
    }
    Values values = new Values(properties);

    DestinationRuleReader.Settings rule = DestinationRuleReader.Settings.NONE;
    String destinationRule = values.raw("destinationRule");
    if (!destinationRule.isEmpty()) {
      Path file = baseDir.resolve(destinationRule);
      rule = DestinationRuleReader.read(file, destinationRule);
    }

    EndpointSource source = EndpointSources.parse(values, baseDir);
    List<Endpoint> endpoints;
    if (source.kind() == EndpointSource.Kind.STATIC) {
      endpoints = EndpointListParser.parse("endpoints", values.raw("endpoints"));
      if (endpoints.isEmpty()) {
        throw new ConfigException("endpoints", values.raw("endpoints"),
            EndpointListParser.EXPECTED + ", at least one; or dns:NAME:PORT; or file:PATH");
      }
    } else if (source.kind() == EndpointSource.Kind.FILE) {
      endpoints = EndpointsFile.readAtStartup(values.raw("endpoints"), Path.of(source.path()));
    } else {
      endpoints = List.of();
    }

    LoadBalancerType loadBalancer = values.isSet("loadBalancer") || rule.loadBalancer() == null
        ? values.enumValue("loadBalancer", LoadBalancerType.class, "RING_HASH or MAGLEV")
        : rule.loadBalancer();
    long minRing = values.isSet("minimumRingSize") || rule.minimumRingSize() == null
        ? values.ringSize("minimumRingSize", TetherConfig.DEFAULT_MINIMUM_RING_SIZE)
        : rule.minimumRingSize();
    if (minRing > TetherConfig.RING_SIZE_LIMIT) {
      throw new ConfigException("minimumRingSize", Long.toString(minRing),
          "1 to " + TetherConfig.RING_SIZE_LIMIT);
    }
    long maxRing = values.ringSize("maximumRingSize", TetherConfig.DEFAULT_MAXIMUM_RING_SIZE);
    if (minRing > maxRing) {
      throw new ConfigException("minimumRingSize", Long.toString(minRing),
          "<= maximumRingSize " + maxRing);
    }
    HashFunction hashFunction =
        values.enumValue("hashFunction", HashFunction.class, "XX_HASH or MURMUR_HASH_2");
    long tableSize = values.isSet("tableSize") || rule.tableSize() == null
        ? values.longValue("tableSize", 0, MAX_TABLE_SIZE, "a prime number up to " + MAX_TABLE_SIZE)
        : rule.tableSize();
    if (tableSize == 0) {
      tableSize = TetherConfig.DEFAULT_TABLE_SIZE;
    }
    if (tableSize > MAX_TABLE_SIZE || !isPrime(tableSize)) {
      throw new ConfigException("tableSize", Long.toString(tableSize),
          "a prime number up to " + MAX_TABLE_SIZE + "; table size must be a prime number");
    }
    boolean useHostname = values.bool("useHostnameForHashing");
    OutlierDetection outlier = outlierDetection(values, rule.outlierDetection());
    int panicThreshold = panicThreshold(values, outlier);
    Map<String, Integer> localityWeights = localityWeights(values.raw("localityWeights"));
    int hashBalanceFactor = (int) values.longValue("hashBalanceFactor", 0, Integer.MAX_VALUE,
        "0 (off) or at least 100");
    if (hashBalanceFactor != 0 && hashBalanceFactor < 100) {
      throw new ConfigException("hashBalanceFactor", Integer.toString(hashBalanceFactor),
          "0 (off) or at least 100");
    }
    List<HashPolicy> hashPolicies = values.isSet("hashPolicy") || rule.hashPolicies() == null
        ? HashPolicyParser.parse("hashPolicy", values.raw("hashPolicy"))
        : rule.hashPolicies();

    SessionConfig session = session(values, baseDir);
    HealthCheck healthCheck = healthCheck(values);
    RetryPolicy retryPolicy = retryPolicy(values);
    Timeouts timeouts = timeouts(values, rule.connectTimeout());
    String name = name(values);
    return new TetherConfig(endpoints, loadBalancer, minRing, maxRing, hashFunction, tableSize,
        useHostname, panicThreshold, localityWeights, hashBalanceFactor, hashPolicies, session,
        outlier, destinationRule, source, healthCheck, retryPolicy, timeouts, name);
  }

  /**
   * The four waits every front end applies. {@code connectTimeout} may come from the
   * DestinationRule ({@code connectionPool.tcp.connectTimeout}); the flat key overrides it. The
   * others are VirtualService fields in Istio ({@code timeout}, {@code retries.perTryTimeout})
   * or Envoy's stream idle timeout, so they are flat keys only.
   */
  private static Timeouts timeouts(Values values, Duration ruleConnectTimeout) {
    Duration connect = values.isSet("connectTimeout") || ruleConnectTimeout == null
        ? positiveDuration(values, "connectTimeout")
        : ruleConnectTimeout;
    return new Timeouts(connect,
        Durations.parse("requestTimeout", values.raw("requestTimeout")),
        Durations.parse("perTryTimeout", values.raw("perTryTimeout")),
        Durations.parse("idleTimeout", values.raw("idleTimeout")));
  }

  /** The keys that configure outlier detection; setting any of them turns it on. */
  static final List<String> OUTLIER_KEYS = List.of("consecutive5xxErrors",
      "consecutiveGatewayErrors", "outlierInterval", "baseEjectionTime", "maxEjectionPercent",
      "minHealthPercent");

  /**
   * Outlier detection is on when the DestinationRule has {@code outlierDetection} or any flat
   * outlier key is set (Istio configures none otherwise); flat keys override the rule's fields,
   * unset fields take Istio's defaults.
   */
  private static OutlierDetection outlierDetection(Values values, OutlierDetection fromRule) {
    boolean anyFlat = false;
    for (String key : OUTLIER_KEYS) {
      anyFlat |= values.isSet(key);
    }
    if (fromRule == null && !anyFlat) {
      return null;
    }
    OutlierDetection base = fromRule != null ? fromRule : OutlierDetection.ISTIO_DEFAULTS;
    int consecutive5xx = values.isSet("consecutive5xxErrors")
        ? (int) values.longValue("consecutive5xxErrors", 0, Integer.MAX_VALUE,
            "a whole number >= 0 (0 disables)")
        : base.consecutive5xxErrors();
    int gateway = values.isSet("consecutiveGatewayErrors")
        ? (int) values.longValue("consecutiveGatewayErrors", 0, Integer.MAX_VALUE,
            "a whole number >= 0 (0 disables)")
        : base.consecutiveGatewayErrors();
    Duration interval = values.isSet("outlierInterval")
        ? positiveDuration(values, "outlierInterval")
        : base.interval();
    Duration baseEjection = values.isSet("baseEjectionTime")
        ? positiveDuration(values, "baseEjectionTime")
        : base.baseEjectionTime();
    int maxEjection = values.isSet("maxEjectionPercent")
        ? (int) values.longValue("maxEjectionPercent", 0, 100, "0 to 100 (percent)")
        : base.maxEjectionPercent();
    int minHealth = values.isSet("minHealthPercent")
        ? (int) values.longValue("minHealthPercent", 0, 100, "0 to 100 (percent)")
        : base.minHealthPercent();
    if (baseEjection.isZero()) {
      throw new ConfigException("baseEjectionTime", values.raw("baseEjectionTime"),
          "a duration above zero");
    }
    return new OutlierDetection(consecutive5xx, gateway, interval, baseEjection, maxEjection,
        minHealth);
  }

  /**
   * Envoy's default panic threshold is 50; with outlier detection on, Istio sets it to
   * {@code minHealthPercent} (0 by default: no panic). An explicit {@code panicThreshold} wins,
   * but may not contradict an explicit {@code minHealthPercent}.
   */
  private static int panicThreshold(Values values, OutlierDetection outlier) {
    int explicit = (int) values.longValue("panicThreshold", 0, 100, "0 to 100 (percent)");
    if (outlier == null || values.isSet("panicThreshold") && !values.isSet("minHealthPercent")) {
      return explicit;
    }
    if (values.isSet("panicThreshold") && explicit != outlier.minHealthPercent()) {
      throw new ConfigException("minHealthPercent", values.raw("minHealthPercent"),
          "unset, or equal to panicThreshold " + explicit
              + " (Istio's minHealthPercent is Envoy's panic threshold)");
    }
    return outlier.minHealthPercent();
  }

  private static HealthCheck healthCheck(Values values) {
    String path = values.raw("healthCheckPath").trim();
    List<String> keys = List.of("healthCheckInterval", "healthCheckTimeout", "healthyThreshold",
        "unhealthyThreshold");
    if (path.isEmpty()) {
      for (String key : keys) {
        if (values.isSet(key)) {
          throw new ConfigException(key, values.raw(key), "unset unless healthCheckPath is set");
        }
      }
      return null;
    }
    if (!path.startsWith("/") || !isRequestTarget(path)) {
      throw new ConfigException("healthCheckPath", path,
          "a path starting with /, without spaces or control characters, e.g. /healthz");
    }
    Duration interval = positiveDuration(values, "healthCheckInterval");
    Duration timeout = positiveDuration(values, "healthCheckTimeout");
    int healthy = (int) values.longValue("healthyThreshold", 1, Integer.MAX_VALUE,
        "a whole number >= 1");
    int unhealthy = (int) values.longValue("unhealthyThreshold", 1, Integer.MAX_VALUE,
        "a whole number >= 1");
    return new HealthCheck(path, interval, timeout, healthy, unhealthy);
  }

  private static boolean isRequestTarget(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static RetryPolicy retryPolicy(Values values) {
    int retries = (int) values.longValue("retries", 0, Integer.MAX_VALUE,
        "a whole number >= 0 (0 disables retries)");
    return RetryOnParser.parse("retryOn", values.raw("retryOn"), retries);
  }

  private static String name(Values values) {
    String name = values.raw("name");
    if (name.length() > 64 || !name.matches("[A-Za-z0-9._-]+")) {
      throw new ConfigException("name", name,
          "1 to 64 letters, digits, '.', '_' or '-' (it names the JMX beans)");
    }
    return name;
  }

  static Duration positiveDuration(Values values, String key) {
    Duration duration = Durations.parse(key, values.raw(key));
    if (duration.isZero()) {
      throw new ConfigException(key, values.raw(key), "a duration above zero, such as 500ms or 5s");
    }
    return duration;
  }

  private static SessionConfig session(Values values, Path baseDir) {
    String cookie = values.raw("sessionCookie").trim();
    String header = values.raw("sessionHeader").trim();
    SessionSeal seal = SessionSealParser.parse(values, baseDir,
        !cookie.isEmpty() || !header.isEmpty());
    boolean strict = values.bool("sessionStrict");
    Set<Health> overrideHealth = overrideHealth(values.raw("sessionOverrideHealth"));
    if (!cookie.isEmpty() && !header.isEmpty()) {
      throw new ConfigException("sessionHeader", header, "unset when sessionCookie is set");
    }
    if (cookie.isEmpty()) {
      for (String key : List.of("sessionCookieTtl", "sessionCookieAttributes")) {
        if (values.isSet(key)) {
          throw new ConfigException(key, values.raw(key), "unset unless sessionCookie is set");
        }
      }
    }
    if (!header.isEmpty()) {
      if (!Tokens.isToken(header)) {
        throw new ConfigException("sessionHeader", header, "a header name (token characters)");
      }
      return new SessionConfig(SessionConfig.Mode.HEADER, header, "", Duration.ZERO, List.of(),
          strict, overrideHealth, seal);
    }
    if (!cookie.isEmpty()) {
      int colon = cookie.indexOf(':');
      String name = colon < 0 ? cookie : cookie.substring(0, colon);
      String path = colon < 0 ? "/" : cookie.substring(colon + 1);
      if (!Tokens.isToken(name)) {
        throw new ConfigException("sessionCookie", cookie,
            "NAME[:PATH] with a cookie name of token characters");
      }
      if (!path.startsWith("/")) {
        throw new ConfigException("sessionCookie", cookie, "NAME[:PATH] with PATH starting with /");
      }
      Duration ttl = Durations.parse("sessionCookieTtl", values.raw("sessionCookieTtl"));
      List<CookieAttribute> attributes = new ArrayList<>();
      String attributeText = values.raw("sessionCookieAttributes").trim();
      if (!attributeText.isEmpty()) {
        for (String item : attributeText.split("[;,]")) {
          if (!item.trim().isEmpty()) {
            attributes.add(HashPolicyParser.parseAttribute("sessionCookieAttributes",
                attributeText, item));
          }
        }
      }
      return new SessionConfig(SessionConfig.Mode.COOKIE, name, path, ttl, attributes, strict,
          overrideHealth, seal);
    }
    if (strict) {
      throw new ConfigException("sessionStrict", "true", "false unless sessionCookie or sessionHeader is set");
    }

    return new SessionConfig(SessionConfig.Mode.NONE, "", "", Duration.ZERO, List.of(), false,
        overrideHealth);
  }

  private static Set<Health> overrideHealth(String text) {
    Set<Health> set = EnumSet.noneOf(Health.class);
    for (String item : text.split(",")) {
      String name = item.trim();
      if (name.isEmpty()) {
        continue;
      }
      try {
        set.add(Health.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("sessionOverrideHealth", text,
            "comma-separated UNKNOWN, HEALTHY, DEGRADED, UNHEALTHY, DRAINING", e);
      }
    }
    if (set.isEmpty()) {
      throw new ConfigException("sessionOverrideHealth", text, "at least one health state");
    }
    return set;
  }

  private static Map<String, Integer> localityWeights(String text) {
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
        throw new ConfigException("localityWeights", text,
            "comma-separated LOCALITY=WEIGHT, each locality once, weights 0 to 4294967295");
      }
      weights.put(name, (int) Math.min(weight, Integer.MAX_VALUE));
    }
    return weights;
  }

  static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (long d = 3; d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  /** Reads raw values with defaults and reports errors against the right key. */
  static final class Values {
    private final Map<String, String> given;

    Values(Map<String, String> given) {
      this.given = given;
    }

    boolean isSet(String key) {
      String value = given.get(key);
      return value != null && !value.trim().isEmpty();
    }

    String raw(String key) {
      String value = given.get(key);
      return value == null || value.trim().isEmpty() ? DEFAULTS.get(key) : value.trim();
    }

    boolean bool(String key) {
      String value = raw(key);
      if (value.equalsIgnoreCase("true")) {
        return true;
      }
      if (value.equalsIgnoreCase("false")) {
        return false;
      }
      throw new ConfigException(key, value, "true or false");
    }

    long longValue(String key, long min, long max, String expected) {
      String value = raw(key);
      try {
        long n = Long.parseLong(value);
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        throw new ConfigException(key, value, expected, e);
      }
      throw new ConfigException(key, value, expected);
    }

    long ringSize(String key, long fallback) {
      long n = longValue(key, 0, TetherConfig.RING_SIZE_LIMIT,
          "0 (default) to " + TetherConfig.RING_SIZE_LIMIT);
      return n == 0 ? fallback : n;
    }

    <E extends Enum<E>> E enumValue(String key, Class<E> type, String expected) {
      String value = raw(key);
      try {
        return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, value, expected, e);
      }
    }
  }
}
