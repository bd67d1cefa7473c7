package dev.tether.core.config;

import static dev.tether.core.config.ConfigKeys.BASE_EJECTION_TIME;
import static dev.tether.core.config.ConfigKeys.CONNECTION_POOL;
import static dev.tether.core.config.ConfigKeys.CONNECT_TIMEOUT;
import static dev.tether.core.config.ConfigKeys.CONSECUTIVE_5XX_ERRORS;
import static dev.tether.core.config.ConfigKeys.CONSECUTIVE_GATEWAY_ERRORS;
import static dev.tether.core.config.ConfigKeys.DESTINATION_RULE;
import static dev.tether.core.config.ConfigKeys.ENDPOINTS;
import static dev.tether.core.config.ConfigKeys.HASH_BALANCE_FACTOR;
import static dev.tether.core.config.ConfigKeys.HASH_FUNCTION;
import static dev.tether.core.config.ConfigKeys.HASH_POLICY;
import static dev.tether.core.config.ConfigKeys.HEALTHY_THRESHOLD;
import static dev.tether.core.config.ConfigKeys.HEALTH_CHECK;
import static dev.tether.core.config.ConfigKeys.HEALTH_CHECK_INTERVAL;
import static dev.tether.core.config.ConfigKeys.HEALTH_CHECK_PATH;
import static dev.tether.core.config.ConfigKeys.HEALTH_CHECK_TIMEOUT;
import static dev.tether.core.config.ConfigKeys.HTTP1_MAX_PENDING_REQUESTS;
import static dev.tether.core.config.ConfigKeys.HTTP_IDLE_TIMEOUT;
import static dev.tether.core.config.ConfigKeys.HTTP_MAX_REQUESTS_PER_CONNECTION;
import static dev.tether.core.config.ConfigKeys.HTTP_MAX_RETRIES;
import static dev.tether.core.config.ConfigKeys.IDLE_TIMEOUT;
import static dev.tether.core.config.ConfigKeys.LOAD_BALANCER;
import static dev.tether.core.config.ConfigKeys.LOCALITY_WEIGHTS;
import static dev.tether.core.config.ConfigKeys.MAXIMUM_RING_SIZE;
import static dev.tether.core.config.ConfigKeys.MAX_EJECTION_PERCENT;
import static dev.tether.core.config.ConfigKeys.MINIMUM_RING_SIZE;
import static dev.tether.core.config.ConfigKeys.MIN_HEALTH_PERCENT;
import static dev.tether.core.config.ConfigKeys.NAME;
import static dev.tether.core.config.ConfigKeys.OUTLIER;
import static dev.tether.core.config.ConfigKeys.OUTLIER_INTERVAL;
import static dev.tether.core.config.ConfigKeys.PANIC_THRESHOLD;
import static dev.tether.core.config.ConfigKeys.PER_TRY_TIMEOUT;
import static dev.tether.core.config.ConfigKeys.REQUEST_TIMEOUT;
import static dev.tether.core.config.ConfigKeys.RETRIES;
import static dev.tether.core.config.ConfigKeys.RETRY_ON;
import static dev.tether.core.config.ConfigKeys.SESSION_COOKIE;
import static dev.tether.core.config.ConfigKeys.SESSION_COOKIE_ATTRIBUTES;
import static dev.tether.core.config.ConfigKeys.SESSION_COOKIE_TTL;
import static dev.tether.core.config.ConfigKeys.SESSION_HEADER;
import static dev.tether.core.config.ConfigKeys.SESSION_OVERRIDE_HEALTH;
import static dev.tether.core.config.ConfigKeys.SESSION_STRICT;
import static dev.tether.core.config.ConfigKeys.TABLE_SIZE;
import static dev.tether.core.config.ConfigKeys.TCP_CONNECT_TIMEOUT;
import static dev.tether.core.config.ConfigKeys.TCP_MAX_CONNECTIONS;
import static dev.tether.core.config.ConfigKeys.UNHEALTHY_THRESHOLD;
import static dev.tether.core.config.ConfigKeys.USE_HOSTNAME_FOR_HASHING;

import dev.tether.api.ConnectionPool;
import dev.tether.api.CookieAttribute;
import dev.tether.api.Endpoint;
import dev.tether.api.EndpointSource;
import dev.tether.api.Health;
import dev.tether.api.HealthCheck;
import dev.tether.api.OutlierDetection;
import dev.tether.api.RetryPolicy;
import dev.tether.api.SessionConfig;
import dev.tether.api.SessionSeal;
import dev.tether.api.TetherConfig;
import dev.tether.api.Timeouts;
import dev.tether.core.ConfigException;
import dev.tether.core.internal.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns configuration keys into a {@link TetherConfig}: every key of {@link ConfigKeys} is read
 * through its syntax, a DestinationRule (when given) supplies values first and flat keys
 * override it, and the result goes through {@link TetherConfig.Builder#build}, whose rules tie
 * the fields together. Every error reads {@code key: value (expected: ...)}; an unknown key is
 * one too, with the key it most likely misspells.
 */
public final class ConfigParser {
  private ConfigParser() {}

  /**
   * Parses {@code properties} (keys without the {@code tether.} prefix), resolving relative
   * files ({@code destinationRule}, {@code file:} endpoints, {@code sessionSealKeys}) against
   * {@code baseDir}.
   *
   * @throws ConfigException naming the key, the value and what was expected
   */
  public static TetherConfig parse(Map<String, String> properties, Path baseDir) {
    for (Map.Entry<String, String> entry : properties.entrySet()) {
      if (!ConfigKeys.isKey(entry.getKey())) {
        throw new ConfigException(entry.getKey(), String.valueOf(entry.getValue()),
            ConfigKeys.expectedInsteadOf(entry.getKey()));
      }
    }
    Values values = new Values(properties);

    DestinationRuleReader.Settings rule = DestinationRuleReader.Settings.NONE;
    String destinationRule = values.raw(DESTINATION_RULE);
    if (!destinationRule.isEmpty()) {
      rule = DestinationRuleReader.read(baseDir.resolve(destinationRule), destinationRule);
    }

    EndpointSource source = EndpointSources.parse(values, baseDir);
    TetherConfig.Builder config = TetherConfig.builder()
        .endpointSource(source)
        .endpoints(endpoints(values, source))
        .destinationRule(destinationRule);

    config.loadBalancer(values.isSet(LOAD_BALANCER) || rule.loadBalancer() == null
        ? values.get(LOAD_BALANCER)
        : rule.loadBalancer());
    config.minimumRingSize(values.isSet(MINIMUM_RING_SIZE) || rule.minimumRingSize() == null
        ? orDefault(values.get(MINIMUM_RING_SIZE), MINIMUM_RING_SIZE)
        : rule.minimumRingSize());
    config.maximumRingSize(orDefault(values.get(MAXIMUM_RING_SIZE), MAXIMUM_RING_SIZE));
    config.hashFunction(values.get(HASH_FUNCTION));
    config.tableSize(values.isSet(TABLE_SIZE) || rule.tableSize() == null
        ? orDefault(values.get(TABLE_SIZE), TABLE_SIZE)
        : rule.tableSize());
    config.useHostnameForHashing(values.get(USE_HOSTNAME_FOR_HASHING));
    OutlierDetection outlier = outlierDetection(values, rule.outlierDetection());
    config.outlierDetection(outlier);
    config.panicThreshold(panicThreshold(values, outlier));
    config.localityWeights(values.get(LOCALITY_WEIGHTS));
    config.hashBalanceFactor(values.getInt(HASH_BALANCE_FACTOR));
    config.hashPolicies(values.isSet(HASH_POLICY) || rule.hashPolicies() == null
        ? values.get(HASH_POLICY)
        : rule.hashPolicies());
    config.session(session(values, baseDir));
    config.healthCheck(healthCheck(values));
    config.retryPolicy(retryPolicy(values));
    config.timeouts(timeouts(values, rule.connectTimeout()));
    config.connectionPool(connectionPool(values, rule.connectionPool()));
    config.name(values.raw(NAME));
    return config.build(ConfigException::new);
  }

  /** 0 is a ring size or table size key's way to ask for its default. */
  private static long orDefault(long value, ConfigKey<Long> key) {
    return value == 0 ? key.defaultValue() : value;
  }

  private static List<Endpoint> endpoints(Values values, EndpointSource source) {
    switch (source.kind()) {
      case STATIC: {
        List<Endpoint> endpoints = EndpointSyntax.parseList(ENDPOINTS.name(), values.raw(ENDPOINTS));
        if (endpoints.isEmpty()) {
          throw new ConfigException(ENDPOINTS.name(), values.raw(ENDPOINTS),
              EndpointSyntax.EXPECTED + ", at least one; or dns:NAME:PORT; or file:PATH");
        }
        return endpoints;
      }
      case FILE:
        return EndpointsFile.readAtStartup(values.raw(ENDPOINTS), Path.of(source.path()));
      default:
        // Resolved when the balancer starts.
        return List.of();
    }
  }

  /**
   * The four waits every front end applies. {@code connectTimeout} may come from the
   * DestinationRule ({@code connectionPool.tcp.connectTimeout}); the flat key overrides it. The
   * others are VirtualService fields in Istio ({@code timeout}, {@code retries.perTryTimeout})
   * or Envoy's stream idle timeout, so they are flat keys only.
   */
  private static Timeouts timeouts(Values values, Duration ruleConnectTimeout) {
    if (values.isSet(CONNECT_TIMEOUT) && values.isSet(TCP_CONNECT_TIMEOUT)) {
      throw new ConfigException(TCP_CONNECT_TIMEOUT.name(), values.raw(TCP_CONNECT_TIMEOUT),
          "unset when connectTimeout is set (the same setting by its Istio name)");
    }
    ConfigKey<Duration> key = values.isSet(TCP_CONNECT_TIMEOUT) ? TCP_CONNECT_TIMEOUT
        : CONNECT_TIMEOUT;
    Duration connect = values.isSet(key) || ruleConnectTimeout == null
        ? values.get(key)
        : ruleConnectTimeout;
    return new Timeouts(connect, values.get(REQUEST_TIMEOUT), values.get(PER_TRY_TIMEOUT),
        values.get(IDLE_TIMEOUT));
  }

  /**
   * Istio's {@code connectionPool}: the DestinationRule's fields first (Istio's defaults for those
   * it leaves unset), each flat key overriding its field.
   */
  private static ConnectionPool connectionPool(Values values, ConnectionPool fromRule) {
    ConnectionPool base = fromRule != null ? fromRule : ConnectionPool.ISTIO_DEFAULTS;
    if (!values.anySet(CONNECTION_POOL)) {
      return base;
    }
    return new ConnectionPool(
        values.isSet(TCP_MAX_CONNECTIONS)
            ? values.get(TCP_MAX_CONNECTIONS) : base.maxConnections(),
        values.isSet(HTTP1_MAX_PENDING_REQUESTS)
            ? values.get(HTTP1_MAX_PENDING_REQUESTS) : base.maxPendingRequests(),
        values.isSet(HTTP_MAX_REQUESTS_PER_CONNECTION)
            ? values.get(HTTP_MAX_REQUESTS_PER_CONNECTION) : base.maxRequestsPerConnection(),
        values.isSet(HTTP_IDLE_TIMEOUT) ? values.get(HTTP_IDLE_TIMEOUT) : base.idleTimeout(),
        values.isSet(HTTP_MAX_RETRIES) ? values.get(HTTP_MAX_RETRIES) : base.maxRetries());
  }

  /**
   * Outlier detection is on when the DestinationRule has {@code outlierDetection} or any flat
   * outlier key is set (Istio configures none otherwise); flat keys override the rule's fields,
   * unset fields take Istio's defaults.
   */
  private static OutlierDetection outlierDetection(Values values, OutlierDetection fromRule) {
    if (fromRule == null && !values.anySet(OUTLIER)) {
      return OutlierDetection.OFF;
    }
    OutlierDetection base = fromRule != null ? fromRule : OutlierDetection.ISTIO_DEFAULTS;
    return new OutlierDetection(true,
        values.isSet(CONSECUTIVE_5XX_ERRORS)
            ? values.getInt(CONSECUTIVE_5XX_ERRORS) : base.consecutive5xxErrors(),
        values.isSet(CONSECUTIVE_GATEWAY_ERRORS)
            ? values.getInt(CONSECUTIVE_GATEWAY_ERRORS) : base.consecutiveGatewayErrors(),
        values.isSet(OUTLIER_INTERVAL) ? values.get(OUTLIER_INTERVAL) : base.interval(),
        values.isSet(BASE_EJECTION_TIME)
            ? values.get(BASE_EJECTION_TIME) : base.baseEjectionTime(),
        values.isSet(MAX_EJECTION_PERCENT)
            ? values.getInt(MAX_EJECTION_PERCENT) : base.maxEjectionPercent(),
        values.isSet(MIN_HEALTH_PERCENT)
            ? values.getInt(MIN_HEALTH_PERCENT) : base.minHealthPercent());
  }

  /**
   * Envoy's default panic threshold is 50; with outlier detection on, Istio sets it to
   * {@code minHealthPercent} (0 by default: no panic). An explicit {@code panicThreshold} wins,
   * but may not contradict an explicit {@code minHealthPercent}.
   */
  private static int panicThreshold(Values values, OutlierDetection outlier) {
    int explicit = values.getInt(PANIC_THRESHOLD);
    if (!outlier.enabled() || values.isSet(PANIC_THRESHOLD) && !values.isSet(MIN_HEALTH_PERCENT)) {
      return explicit;
    }
    if (values.isSet(PANIC_THRESHOLD) && explicit != outlier.minHealthPercent()) {
      throw new ConfigException(MIN_HEALTH_PERCENT.name(), values.raw(MIN_HEALTH_PERCENT),
          "unset, or equal to panicThreshold " + explicit
              + " (Istio's minHealthPercent is Envoy's panic threshold)");
    }
    return outlier.minHealthPercent();
  }

  private static HealthCheck healthCheck(Values values) {
    String path = values.raw(HEALTH_CHECK_PATH);
    if (path.isEmpty()) {
      for (ConfigKey<?> key : HEALTH_CHECK) {
        if (values.isSet(key)) {
          throw new ConfigException(key.name(), values.raw(key),
              "unset unless healthCheckPath is set");
        }
      }
      return HealthCheck.OFF;
    }
    return new HealthCheck(path, values.get(HEALTH_CHECK_INTERVAL),
        values.get(HEALTH_CHECK_TIMEOUT), values.getInt(HEALTHY_THRESHOLD),
        values.getInt(UNHEALTHY_THRESHOLD));
  }

  private static RetryPolicy retryPolicy(Values values) {
    return RetryOnParser.parse(RETRY_ON.name(), values.raw(RETRY_ON), values.getInt(RETRIES));
  }

  private static SessionConfig session(Values values, Path baseDir) {
    String cookie = values.raw(SESSION_COOKIE);
    String header = values.raw(SESSION_HEADER);
    SessionSeal seal = SessionSealParser.parse(values, baseDir,
        !cookie.isEmpty() || !header.isEmpty());
    boolean strict = values.get(SESSION_STRICT);
    Set<Health> overrideHealth = values.get(SESSION_OVERRIDE_HEALTH);
    if (!cookie.isEmpty() && !header.isEmpty()) {
      throw new ConfigException(SESSION_HEADER.name(), header, "unset when sessionCookie is set");
    }
    if (cookie.isEmpty()) {
      for (ConfigKey<?> key : List.of(SESSION_COOKIE_TTL, SESSION_COOKIE_ATTRIBUTES)) {
        if (values.isSet(key)) {
          throw new ConfigException(key.name(), values.raw(key), "unset unless sessionCookie is set");
        }
      }
    }
    if (!header.isEmpty()) {
      if (!Tokens.isToken(header)) {
        throw new ConfigException(SESSION_HEADER.name(), header,
            "a header name (token characters)");
      }
      return new SessionConfig(SessionConfig.Mode.HEADER, header, "", Duration.ZERO, List.of(),
          strict, overrideHealth, seal);
    }
    if (!cookie.isEmpty()) {
      int colon = cookie.indexOf(':');
      String name = colon < 0 ? cookie : cookie.substring(0, colon);
      String path = colon < 0 ? "/" : cookie.substring(colon + 1);
      if (!Tokens.isToken(name)) {
        throw new ConfigException(SESSION_COOKIE.name(), cookie,
            "NAME[:PATH] with a cookie name of token characters");
      }
      if (!path.startsWith("/")) {
        throw new ConfigException(SESSION_COOKIE.name(), cookie,
            "NAME[:PATH] with PATH starting with /");
      }
      return new SessionConfig(SessionConfig.Mode.COOKIE, name, path,
          values.get(SESSION_COOKIE_TTL), cookieAttributes(values), strict, overrideHealth, seal);
    }
    // Strictness without a session is build()'s to refuse.
    return new SessionConfig(SessionConfig.Mode.NONE, "", "", Duration.ZERO, List.of(), strict,
        overrideHealth, SessionSeal.OFF);
  }

  private static List<CookieAttribute> cookieAttributes(Values values) {
    List<CookieAttribute> attributes = new ArrayList<>();
    String text = values.raw(SESSION_COOKIE_ATTRIBUTES);
    for (String item : text.split("[;,]")) {
      if (!item.trim().isEmpty()) {
        attributes.add(HashPolicyParser.parseAttribute(SESSION_COOKIE_ATTRIBUTES.name(), text,
            item));
      }
    }
    return attributes;
  }
}
