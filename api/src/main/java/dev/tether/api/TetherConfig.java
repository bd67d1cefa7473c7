package dev.tether.api;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Tether's whole configuration, immutable. The Jetty module reads it from {@code tether.<key>}
 * properties and the Tomcat valve from {@code <Valve>} attributes; both go through the core's
 * parser, so the keys and their checks are the same everywhere. Code that configures Tether
 * itself uses {@link #builder()}: every field starts at its named default, and
 * {@link Builder#build()} checks the rules that tie fields together.
 *
 * <p>A feature that is off is an explicit value ({@link OutlierDetection#OFF},
 * {@link HealthCheck#OFF}, {@link SessionConfig#NONE}, {@link SessionSeal#OFF}), never null.
 *
 * @param endpoints the static endpoints, in configuration order (see {@code endpointSource})
 * @param loadBalancer ring hash or Maglev
 * @param minimumRingSize ring hash: least entries
 * @param maximumRingSize ring hash: most entries
 * @param hashFunction ring hash: entry hash function
 * @param tableSize Maglev: table size, a prime
 * @param useHostnameForHashing hash the host name rather than the address
 * @param panicThreshold percent of healthy plus degraded endpoints below which all are used; 0
 *     disables panic
 * @param localityWeights locality name to weight, in configuration order; empty: no locality
 *     weighting
 * @param hashBalanceFactor bounded-load factor in percent, at least 100; 0 disables it
 * @param hashPolicies request hash policies, in order
 * @param session stateful sessions
 * @param outlierDetection outlier ejection; {@link OutlierDetection#OFF} when off
 * @param destinationRule the DestinationRule file this was read from; empty when none
 * @param endpointSource where the endpoints come from: the static list above, a DNS name or a
 *     file; for a file, {@code endpoints} holds the set read when the configuration was parsed,
 *     for DNS it is empty until the name is resolved at start
 * @param healthCheck active health checking; {@link HealthCheck#OFF} when off
 * @param retryPolicy when and how often a failed attempt is retried
 * @param timeouts how long every front end waits for a backend
 * @param connectionPool circuit breaking and the backend connection pool
 * @param name the balancer's name in JMX object names; made unique when several share it
 */
public record TetherConfig(
    List<Endpoint> endpoints,
    LoadBalancerType loadBalancer,
    long minimumRingSize,
    long maximumRingSize,
    HashFunction hashFunction,
    long tableSize,
    boolean useHostnameForHashing,
    int panicThreshold,
    Map<String, Integer> localityWeights,
    int hashBalanceFactor,
    List<HashPolicy> hashPolicies,
    SessionConfig session,
    OutlierDetection outlierDetection,
    String destinationRule,
    EndpointSource endpointSource,
    HealthCheck healthCheck,
    RetryPolicy retryPolicy,
    Timeouts timeouts,
    ConnectionPool connectionPool,
    String name) {

  /** Envoy's default load balancer for Istio's {@code consistentHash}. */
  public static final LoadBalancerType DEFAULT_LOAD_BALANCER = LoadBalancerType.RING_HASH;
  public static final long DEFAULT_MINIMUM_RING_SIZE = 1024;
  public static final long DEFAULT_MAXIMUM_RING_SIZE = 8_388_608;
  /** Envoy's hard upper bound on ring sizes. */
  public static final long RING_SIZE_LIMIT = 8_388_608;
  public static final HashFunction DEFAULT_HASH_FUNCTION = HashFunction.XX_HASH;
  public static final long DEFAULT_TABLE_SIZE = 65_537;
  /** Envoy's upper bound on Maglev table sizes. */
  public static final long MAX_TABLE_SIZE = 5_000_011;
  public static final int DEFAULT_PANIC_THRESHOLD = 50;
  /** Bounded-load hashing off. */
  public static final int DEFAULT_HASH_BALANCE_FACTOR = 0;
  /** The JMX name of a balancer whose configuration names none. */
  public static final String DEFAULT_NAME = "tether";

  public TetherConfig {
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(loadBalancer, "loadBalancer");
    Objects.requireNonNull(hashFunction, "hashFunction");
    localityWeights = Collections.unmodifiableMap(new LinkedHashMap<>(localityWeights));
    hashPolicies = List.copyOf(hashPolicies);
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(outlierDetection, "outlierDetection");
    Objects.requireNonNull(destinationRule, "destinationRule");
    Objects.requireNonNull(endpointSource, "endpointSource");
    Objects.requireNonNull(healthCheck, "healthCheck");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(connectionPool, "connectionPool");
    Objects.requireNonNull(name, "name");
  }

  /** A builder whose every field holds its default; only the endpoints must be given. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to change a few fields of it. */
  public Builder toBuilder() {
    return new Builder()
        .endpoints(endpoints)
        .loadBalancer(loadBalancer)
        .minimumRingSize(minimumRingSize)
        .maximumRingSize(maximumRingSize)
        .hashFunction(hashFunction)
        .tableSize(tableSize)
        .useHostnameForHashing(useHostnameForHashing)
        .panicThreshold(panicThreshold)
        .localityWeights(localityWeights)
        .hashBalanceFactor(hashBalanceFactor)
        .hashPolicies(hashPolicies)
        .session(session)
        .outlierDetection(outlierDetection)
        .destinationRule(destinationRule)
        .endpointSource(endpointSource)
        .healthCheck(healthCheck)
        .retryPolicy(retryPolicy)
        .timeouts(timeouts)
        .connectionPool(connectionPool)
        .name(name);
  }

  /**
   * How {@link Builder#build(Rejection)} reports a rule the configuration breaks, so that each
   * caller throws its own exception type with the same three parts.
   */
  @FunctionalInterface
  public interface Rejection {
    /** The exception to throw for {@code key: value (expected: expected)}. */
    RuntimeException reject(String key, String value, String expected);
  }

  /**
   * Collects a configuration field by field. Fields start at the named defaults of this record
   * and of the records it holds; {@link #build()} checks what no single field can check alone
   * (ring bounds against each other, sessions that strictness or sealing need, endpoints the
   * static source needs) and the ranges a hand-built value could miss. Error messages name the
   * configuration key, as the parser's do.
   */
  public static final class Builder {
    private List<Endpoint> endpoints = List.of();
    private LoadBalancerType loadBalancer = DEFAULT_LOAD_BALANCER;
    private long minimumRingSize = DEFAULT_MINIMUM_RING_SIZE;
    private long maximumRingSize = DEFAULT_MAXIMUM_RING_SIZE;
    private HashFunction hashFunction = DEFAULT_HASH_FUNCTION;
    private long tableSize = DEFAULT_TABLE_SIZE;
    private boolean useHostnameForHashing;
    private int panicThreshold = DEFAULT_PANIC_THRESHOLD;
    private Map<String, Integer> localityWeights = Map.of();
    private int hashBalanceFactor = DEFAULT_HASH_BALANCE_FACTOR;
    private List<HashPolicy> hashPolicies = List.of();
    private SessionConfig session = SessionConfig.NONE;
    private OutlierDetection outlierDetection = OutlierDetection.OFF;
    private String destinationRule = "";
    private EndpointSource endpointSource = EndpointSource.STATIC;
    private HealthCheck healthCheck = HealthCheck.OFF;
    private RetryPolicy retryPolicy = RetryPolicy.ISTIO_DEFAULT;
    private Timeouts timeouts = Timeouts.DEFAULTS;
    private ConnectionPool connectionPool = ConnectionPool.ISTIO_DEFAULTS;
    private String name = DEFAULT_NAME;

    private Builder() {}

    public Builder endpoints(List<Endpoint> value) {
      endpoints = List.copyOf(value);
      return this;
    }

    public Builder loadBalancer(LoadBalancerType value) {
      loadBalancer = Objects.requireNonNull(value, "loadBalancer");
      return this;
    }

    public Builder minimumRingSize(long value) {
      minimumRingSize = value;
      return this;
    }

    public Builder maximumRingSize(long value) {
      maximumRingSize = value;
      return this;
    }

    public Builder hashFunction(HashFunction value) {
      hashFunction = Objects.requireNonNull(value, "hashFunction");
      return this;
    }

    public Builder tableSize(long value) {
      tableSize = value;
      return this;
    }

    public Builder useHostnameForHashing(boolean value) {
      useHostnameForHashing = value;
      return this;
    }

    public Builder panicThreshold(int value) {
      panicThreshold = value;
      return this;
    }

    public Builder localityWeights(Map<String, Integer> value) {
      localityWeights = Collections.unmodifiableMap(new LinkedHashMap<>(value));
      return this;
    }

    public Builder hashBalanceFactor(int value) {
      hashBalanceFactor = value;
      return this;
    }

    public Builder hashPolicies(List<HashPolicy> value) {
      hashPolicies = List.copyOf(value);
      return this;
    }

    public Builder session(SessionConfig value) {
      session = Objects.requireNonNull(value, "session");
      return this;
    }

    public Builder outlierDetection(OutlierDetection value) {
      outlierDetection = Objects.requireNonNull(value, "outlierDetection");
      return this;
    }

    public Builder destinationRule(String value) {
      destinationRule = Objects.requireNonNull(value, "destinationRule");
      return this;
    }

    public Builder endpointSource(EndpointSource value) {
      endpointSource = Objects.requireNonNull(value, "endpointSource");
      return this;
    }

    public Builder healthCheck(HealthCheck value) {
      healthCheck = Objects.requireNonNull(value, "healthCheck");
      return this;
    }

    public Builder retryPolicy(RetryPolicy value) {
      retryPolicy = Objects.requireNonNull(value, "retryPolicy");
      return this;
    }

    public Builder timeouts(Timeouts value) {
      timeouts = Objects.requireNonNull(value, "timeouts");
      return this;
    }

    public Builder connectionPool(ConnectionPool value) {
      connectionPool = Objects.requireNonNull(value, "connectionPool");
      return this;
    }

    public Builder name(String value) {
      name = Objects.requireNonNull(value, "name");
      return this;
    }

    /**
     * The configuration, once every rule holds.
     *
     * @throws IllegalArgumentException reading {@code key: value (expected: ...)}
     */
    public TetherConfig build() {
      return build((key, value, expected) ->
          new IllegalArgumentException(key + ": " + value + " (expected: " + expected + ")"));
    }

    /**
     * The configuration, once every rule holds; a broken rule is thrown as {@code rejection}
     * makes it (the core's parser makes its {@code ConfigException}).
     */
    public TetherConfig build(Rejection rejection) {
      Checks checks = new Checks(rejection);
      checkEndpoints(checks);
      checkTables(checks);
      checks.range("panicThreshold", panicThreshold, 0, 100, "0 to 100 (percent)");
      if (hashBalanceFactor != 0 && hashBalanceFactor < 100) {
        checks.fail("hashBalanceFactor", Integer.toString(hashBalanceFactor),
            "0 (off) or at least 100");
      }
      for (Map.Entry<String, Integer> weight : localityWeights.entrySet()) {
        if (weight.getValue() < 0) {
          checks.fail("localityWeights", weight.getKey() + "=" + weight.getValue(),
              "weights 0 to 4294967295");
        }
      }
      checkSession(checks);
      checkOutlierDetection(checks);
      checkHealthCheck(checks);
      if (name.isEmpty() || name.length() > 64 || !isJmxName(name)) {
        checks.fail("name", name,
            "1 to 64 letters, digits, '.', '_' or '-' (it names the JMX beans)");
      }
      return new TetherConfig(endpoints, loadBalancer, minimumRingSize, maximumRingSize,
          hashFunction, tableSize, useHostnameForHashing, panicThreshold, localityWeights,
          hashBalanceFactor, hashPolicies, session, outlierDetection, destinationRule,
          endpointSource, healthCheck, retryPolicy, timeouts, connectionPool, name);
    }

    private void checkEndpoints(Checks checks) {
      if (endpointSource.kind() == EndpointSource.Kind.STATIC && endpoints.isEmpty()) {
        checks.fail("endpoints", "", "at least one endpoint; or dns:NAME:PORT; or file:PATH");
      }
      Set<String> addresses = new HashSet<>();
      for (Endpoint endpoint : endpoints) {
        if (!addresses.add(endpoint.address())) {
          checks.fail("endpoints", endpoint.address(), "each address once");
        }
      }
      if (endpointSource.isDynamic()) {
        String key = endpointSource.kind() == EndpointSource.Kind.DNS
            ? "dnsRefreshRate" : "fileRefreshRate";
        checks.positive(key, endpointSource.refreshRate());
      }
    }

    private void checkTables(Checks checks) {
      String ringSizes = "1 to " + RING_SIZE_LIMIT;
      checks.range("minimumRingSize", minimumRingSize, 1, RING_SIZE_LIMIT, ringSizes);
      checks.range("maximumRingSize", maximumRingSize, 1, RING_SIZE_LIMIT, ringSizes);
      if (minimumRingSize > maximumRingSize) {
        checks.fail("minimumRingSize", Long.toString(minimumRingSize),
            "<= maximumRingSize " + maximumRingSize);
      }
      if (tableSize > MAX_TABLE_SIZE || !isPrime(tableSize)) {
        checks.fail("tableSize", Long.toString(tableSize),
            "a prime number up to " + MAX_TABLE_SIZE + "; table size must be a prime number");
      }
    }

    private void checkSession(Checks checks) {
      boolean sessions = session.mode() != SessionConfig.Mode.NONE;
      if (session.strict() && !sessions) {
        checks.fail("sessionStrict", "true",
            "false unless sessionCookie or sessionHeader is set");
      }
      SessionSeal seal = session.seal();
      if (seal.enabled()) {
        String mode = seal.mode().name().toLowerCase(java.util.Locale.ROOT);
        if (!sessions) {
          checks.fail("sessionSeal", mode, "off unless sessionCookie or sessionHeader is set");
        }
        if (seal.keysFile().isEmpty()) {
          checks.fail("sessionSealKeys", "(unset)",
              "the path of a key ring file, which sessionSeal=" + mode + " requires");
        }
        checks.positive("fileRefreshRate", seal.refreshRate());
      }
    }

    private void checkOutlierDetection(Checks checks) {
      OutlierDetection od = outlierDetection;
      if (!od.enabled()) {
        return;
      }
      checks.range("consecutive5xxErrors", od.consecutive5xxErrors(), 0, Integer.MAX_VALUE,
          "a whole number >= 0 (0 disables)");
      checks.range("consecutiveGatewayErrors", od.consecutiveGatewayErrors(), 0,
          Integer.MAX_VALUE, "a whole number >= 0 (0 disables)");
      checks.positive("outlierInterval", od.interval());
      checks.positive("baseEjectionTime", od.baseEjectionTime());
      checks.range("maxEjectionPercent", od.maxEjectionPercent(), 0, 100, "0 to 100 (percent)");
      checks.range("minHealthPercent", od.minHealthPercent(), 0, 100, "0 to 100 (percent)");
    }

    private void checkHealthCheck(Checks checks) {
      HealthCheck hc = healthCheck;
      if (!hc.enabled()) {
        return;
      }
      if (!hc.path().startsWith("/") || !isRequestTarget(hc.path())) {
        checks.fail("healthCheckPath", hc.path(),
            "a path starting with /, without spaces or control characters, e.g. /healthz");
      }
      checks.positive("healthCheckInterval", hc.interval());
      checks.positive("healthCheckTimeout", hc.timeout());
      checks.range("healthyThreshold", hc.healthyThreshold(), 1, Integer.MAX_VALUE,
          "a whole number >= 1");
      checks.range("unhealthyThreshold", hc.unhealthyThreshold(), 1, Integer.MAX_VALUE,
          "a whole number >= 1");
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

    private static boolean isJmxName(String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '_' || c == '-';
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    private static boolean isPrime(long n) {
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
  }

  /** The checks of one build, throwing through its {@link Rejection}. */
  private record Checks(Rejection rejection) {
    void fail(String key, String value, String expected) {
      throw rejection.reject(key, value, expected);
    }

    void range(String key, long value, long min, long max, String expected) {
      if (value < min || value > max) {
        fail(key, Long.toString(value), expected);
      }
    }

    void positive(String key, Duration value) {
      if (value.isNegative() || value.isZero()) {
        fail(key, value.isZero() ? "0s" : value.toString(),
            "a duration above zero, such as 500ms or 5s");
      }
    }
  }
}
