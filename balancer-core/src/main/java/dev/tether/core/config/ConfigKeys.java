package dev.tether.core.config;

import dev.tether.api.ConnectionPool;
import dev.tether.api.DnsResolvers;
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
import dev.tether.core.internal.Spelling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every configuration key, in documentation order: the one table the parser reads, and that
 * {@code tether.mod}'s {@code [ini-template]}, {@code etc/tether.xml}, the valve's attributes,
 * the CLI's flags and the README's configuration reference are checked against. A default is
 * never written here as text: each one is the named constant of the {@code api} record it
 * configures ({@link Timeouts#DEFAULTS}, {@link OutlierDetection#ISTIO_DEFAULTS}, ...), turned
 * into text by the key's syntax, so the table and {@link TetherConfig#builder()} cannot disagree.
 */
public final class ConfigKeys {
  private static final List<ConfigKey<?>> ALL = new ArrayList<>();

  static final ConfigKey<String> ENDPOINTS = add("endpoints", "", Syntax.text(), "required",
      "`dns:NAME:PORT` (every address of NAME, resolved again every `dnsRefreshRate`),"
          + " `file:PATH` (a YAML or JSON list of [endpoints](#endpoints-that-come-and-go), read"
          + " again every `fileRefreshRate`) or comma-separated"
          + " `host:port[;weight=N][;hashKey=K][;locality=L][;priority=P][;health=STATE]`; IPv6 as"
          + " `[addr]:port`; STATE is `UNKNOWN`, `HEALTHY`, `DEGRADED`, `UNHEALTHY` or `DRAINING`",
      "the cluster's endpoints (EDS `lb_endpoints`, `envoy.lb` `hash_key` metadata,"
          + " `load_balancing_weight`, locality, priority, `health_status`)");
  static final ConfigKey<Duration> DNS_REFRESH_RATE = add("dnsRefreshRate",
      EndpointSource.DEFAULT_DNS_REFRESH_RATE, Syntax.positiveDuration(), "",
      "how often `dns:` endpoints are resolved again (set only with `dns:`)",
      "Envoy `dns_refresh_rate`");
  static final ConfigKey<DnsResolvers> DNS_RESOLVERS = add("dnsResolvers",
      DnsResolvers.SYSTEM, DnsResolverList.SYNTAX, "",
      "who answers `dns:` names (set only with `dns:`): `system` asks the servers of"
          + " `/etc/resolv.conf` with its search domains and `ndots`, `/etc/hosts` first;"
          + " `IP[:PORT],...` asks only those servers (IPv6 as `[ADDR]:PORT`), the name as"
          + " written; `jvm` uses the JVM's resolver and [its cache](#endpoints-that-come-and-go). Both"
          + " others send A and AAAA queries, retry over TCP when an answer is truncated and cache"
          + " nothing, so `dnsRefreshRate` holds",
      "Envoy `dns_resolvers` / `typed_dns_resolver_config` (Istio: the proxy's own)");
  static final ConfigKey<Duration> FILE_REFRESH_RATE = add("fileRefreshRate",
      EndpointSource.DEFAULT_FILE_REFRESH_RATE, Syntax.positiveDuration(), "",
      "how often a `file:` endpoint list and the `sessionSealKeys` ring are read again (used only"
          + " when their content changed; set only with one of them)",
      "(Tether)");
  static final ConfigKey<LoadBalancerType> LOAD_BALANCER = add("loadBalancer",
      TetherConfig.DEFAULT_LOAD_BALANCER,
      Syntax.constant(LoadBalancerType.class, "RING_HASH or MAGLEV"), "",
      "`RING_HASH` or `MAGLEV`", "`consistentHash.ringHash` / `consistentHash.maglev`");
  static final ConfigKey<Long> MINIMUM_RING_SIZE = add("minimumRingSize",
      TetherConfig.DEFAULT_MINIMUM_RING_SIZE, ringSize(), "",
      "least ring entries (0 means the default)",
      "`ringHash.minimumRingSize`, Envoy `minimum_ring_size`");
  static final ConfigKey<Long> MAXIMUM_RING_SIZE = add("maximumRingSize",
      TetherConfig.DEFAULT_MAXIMUM_RING_SIZE, ringSize(), "",
      "most ring entries (0 means the default; at most 8388608)",
      "Envoy `maximum_ring_size` (not expressible in Istio)");
  static final ConfigKey<HashFunction> HASH_FUNCTION = add("hashFunction",
      TetherConfig.DEFAULT_HASH_FUNCTION,
      Syntax.constant(HashFunction.class, "XX_HASH or MURMUR_HASH_2"), "",
      "`XX_HASH` or `MURMUR_HASH_2` for ring entries", "Envoy `hash_function` (not in Istio)");
  static final ConfigKey<Long> TABLE_SIZE = add("tableSize", TetherConfig.DEFAULT_TABLE_SIZE,
      Syntax.wholeNumber(0, TetherConfig.MAX_TABLE_SIZE,
          "a prime number up to " + TetherConfig.MAX_TABLE_SIZE), "",
      "Maglev table size, a prime up to " + TetherConfig.MAX_TABLE_SIZE
          + " (0 means the default)",
      "`maglev.tableSize`, Envoy `table_size`");
  static final ConfigKey<Boolean> USE_HOSTNAME_FOR_HASHING = add("useHostnameForHashing", false,
      Syntax.bool(), "", "hash the host name instead of `ip:port`",
      "Envoy `use_hostname_for_hashing` (not in Istio)");
  static final ConfigKey<Long> PANIC_THRESHOLD = add("panicThreshold",
      (long) TetherConfig.DEFAULT_PANIC_THRESHOLD,
      Syntax.wholeNumber(0, 100, "0 to 100 (percent)"), "",
      "percent of healthy plus degraded endpoints under which all endpoints are used; 0 disables"
          + " panic; with outlier detection on, Istio uses `minHealthPercent` instead",
      "Envoy `healthy_panic_threshold`");
  static final ConfigKey<Map<String, Integer>> LOCALITY_WEIGHTS = add("localityWeights",
      Map.of(), LocalityWeights.SYNTAX, "",
      "`LOCALITY=WEIGHT,...`; weights endpoints by locality",
      "EDS locality `load_balancing_weight` with locality-weighted balancing");
  static final ConfigKey<Long> HASH_BALANCE_FACTOR = add("hashBalanceFactor",
      (long) TetherConfig.DEFAULT_HASH_BALANCE_FACTOR,
      Syntax.wholeNumber(0, Integer.MAX_VALUE, "0 (off) or at least 100"), "off",
      "bounded-load hashing: at most factor/100 of the average load per host; 0 or at least 100",
      "Envoy `hash_balance_factor` (not in Istio)");
  static final ConfigKey<List<HashPolicy>> HASH_POLICY = add("hashPolicy", List.of(),
      HashPolicyParser.SYNTAX, "",
      "comma-separated `header:NAME`,"
          + " `cookie:NAME[;ttl=DURATION][;path=P][;attribute=NAME[=VALUE]]...`, `sourceIp`,"
          + " `query:NAME`, each optionally `;terminal`; none: requests without a session go to"
          + " a random endpoint, as in Envoy",
      "`consistentHash.httpHeaderName`, `httpCookie`, `useSourceIp`, `httpQueryParameterName`;"
          + " Envoy `hash_policy` (several and `terminal` are Envoy-only)");
  static final ConfigKey<String> SESSION_COOKIE = add("sessionCookie", "", Syntax.text(), "",
      "`NAME[:PATH]`: stateful session in a cookie (path `/` by default)",
      "label `istio.io/persistent-session`; Envoy cookie `stateful_session`");
  static final ConfigKey<Duration> SESSION_COOKIE_TTL = add("sessionCookieTtl",
      SessionConfig.NONE.ttl(), Syntax.duration(), "",
      "session cookie lifetime; `0s` is a browser-session cookie with no expiry (set only with"
          + " `sessionCookie`)",
      "Envoy cookie `ttl`");
  static final ConfigKey<String> SESSION_COOKIE_ATTRIBUTES = add("sessionCookieAttributes", "",
      Syntax.text(), "",
      "extra cookie attributes, `Name[=Value]` separated by semicolons or commas, e.g."
          + " `Secure;SameSite=Lax` (set only with `sessionCookie`)",
      "Envoy cookie `attributes`");
  static final ConfigKey<String> SESSION_HEADER = add("sessionHeader", "", Syntax.text(), "",
      "`NAME`: stateful session in a request/response header",
      "label `istio.io/persistent-session-header`; Envoy header `stateful_session`");
  static final ConfigKey<Boolean> SESSION_STRICT = add("sessionStrict",
      SessionConfig.NONE.strict(), Syntax.bool(), "",
      "answer 503 when the session's backend cannot serve, instead of re-pinning",
      "Envoy `stateful_session.strict`");
  static final ConfigKey<Set<Health>> SESSION_OVERRIDE_HEALTH = add("sessionOverrideHealth",
      SessionConfig.ISTIO_OVERRIDE_HEALTH, Healths.SYNTAX, "",
      "healths of a backend that sessions may still reach",
      "Envoy `override_host_status` (Istio adds DRAINING)");
  static final ConfigKey<SessionSeal.Mode> SESSION_SEAL = add("sessionSeal",
      SessionSeal.OFF.mode(),
      Syntax.lowerCaseConstant(SessionSeal.Mode.class, SessionSealParser.EXPECTED_MODE), "",
      "`off`: Envoy's plain values; `sealed`: write and read only [sealed values]"
          + "(#sealed-session-values) a client can neither read nor forge; `migrate`: write"
          + " sealed, and also honour Envoy's plain values, answering each with the session"
          + " sealed",
      "(Tether; Envoy's values are plain)");
  static final ConfigKey<String> SESSION_SEAL_KEYS = add("sessionSealKeys",
      SessionSeal.OFF.keysFile(), Syntax.text(), "",
      "key ring file, relative to the Jetty base or `$CATALINA_BASE`: one `ID=BASE64` line a key"
          + " (`tether keygen`), the first seals, all open; re-read every `fileRefreshRate`."
          + " Required unless `sessionSeal` is `off`, and an error when it is",
      "(Tether)");
  static final ConfigKey<Duration> SESSION_SEAL_TTL = add("sessionSealTtl",
      SessionSeal.OFF.ttl(), Syntax.duration(), "",
      "lifetime sealed into each value; an expired value is no session whatever the cookie's"
          + " Max-Age. `0s`: none, except that a cookie keeps `sessionCookieTtl` as its sealed"
          + " expiry. Values past half their lifetime are re-issued",
      "(Tether)");
  static final ConfigKey<String> DESTINATION_RULE = add("destinationRule", "", Syntax.text(), "",
      "path of an Istio DestinationRule YAML (`networking.istio.io` v1, v1beta1, v1alpha3),"
          + " relative to the Jetty base or `$CATALINA_BASE`;"
          + " `trafficPolicy.loadBalancer.consistentHash`, `outlierDetection` and"
          + " `connectionPool` (`tcp.maxConnections`, `tcp.connectTimeout`,"
          + " `http.http1MaxPendingRequests`, `http.maxRequestsPerConnection`, `http.idleTimeout`,"
          + " `http.maxRetries`) are honoured; the flat keys override it",
      "the DestinationRule itself");
  static final ConfigKey<String> HEALTH_CHECK_PATH = add("healthCheckPath",
      HealthCheck.OFF.path(), Syntax.text(), "off",
      "active HTTP health checks of every endpoint on this path; only 200 passes; the other"
          + " health-check keys may be set only with it",
      "Envoy `http_health_check.path`");
  static final ConfigKey<Duration> HEALTH_CHECK_INTERVAL = add("healthCheckInterval",
      HealthCheck.DEFAULT_INTERVAL, Syntax.positiveDuration(), "", "time between checks",
      "Envoy `interval`");
  static final ConfigKey<Duration> HEALTH_CHECK_TIMEOUT = add("healthCheckTimeout",
      HealthCheck.DEFAULT_TIMEOUT, Syntax.positiveDuration(), "",
      "a check slower than this fails", "Envoy `timeout`");
  static final ConfigKey<Long> HEALTHY_THRESHOLD = add("healthyThreshold",
      (long) HealthCheck.DEFAULT_HEALTHY_THRESHOLD, atLeastOne(), "",
      "passing checks in a row to become healthy", "Envoy `healthy_threshold`");
  static final ConfigKey<Long> UNHEALTHY_THRESHOLD = add("unhealthyThreshold",
      (long) HealthCheck.DEFAULT_UNHEALTHY_THRESHOLD, atLeastOne(), "",
      "failing checks in a row to become unhealthy (a non-200 answer fails at once, as in Envoy)",
      "Envoy `unhealthy_threshold`");
  static final ConfigKey<Long> CONSECUTIVE_5XX_ERRORS = add("consecutive5xxErrors",
      (long) OutlierDetection.ISTIO_DEFAULTS.consecutive5xxErrors(), errorRun(), "",
      "5xx answers (and connect failures, resets and timeouts) in a row that eject an endpoint;"
          + " setting any outlier"
          + " key turns outlier detection on, with Istio's defaults for the others",
      "`outlierDetection.consecutive5xxErrors`");
  static final ConfigKey<Long> CONSECUTIVE_GATEWAY_ERRORS = add("consecutiveGatewayErrors",
      (long) OutlierDetection.ISTIO_DEFAULTS.consecutiveGatewayErrors(), errorRun(), "off",
      "502, 503, 504 (and connect failures, resets and timeouts, as Envoy counts locally"
          + " originated failures) in a row that eject",
      "`outlierDetection.consecutiveGatewayErrors`");
  static final ConfigKey<Duration> OUTLIER_INTERVAL = add("outlierInterval",
      OutlierDetection.ISTIO_DEFAULTS.interval(), Syntax.positiveDuration(), "",
      "how often ejections are swept", "`outlierDetection.interval`");
  static final ConfigKey<Duration> BASE_EJECTION_TIME = add("baseEjectionTime",
      OutlierDetection.ISTIO_DEFAULTS.baseEjectionTime(), Syntax.positiveDuration(), "",
      "ejection time, multiplied by the number of ejections in a row (capped at max(300 s,"
          + " base))",
      "`outlierDetection.baseEjectionTime`");
  static final ConfigKey<Long> MAX_EJECTION_PERCENT = add("maxEjectionPercent",
      (long) OutlierDetection.ISTIO_DEFAULTS.maxEjectionPercent(), percent(), "",
      "most endpoints ejected at once, in percent", "`outlierDetection.maxEjectionPercent`");
  static final ConfigKey<Long> MIN_HEALTH_PERCENT = add("minHealthPercent",
      (long) OutlierDetection.ISTIO_DEFAULTS.minHealthPercent(), percent(), "",
      "below this share of healthy endpoints all are used (Istio sets it as the panic"
          + " threshold)",
      "`outlierDetection.minHealthPercent`");
  static final ConfigKey<Long> RETRIES = add("retries",
      (long) RetryPolicy.ISTIO_DEFAULT.retries(),
      Syntax.wholeNumber(0, Integer.MAX_VALUE, "a whole number >= 0 (0 disables retries)"), "",
      "retries per request, on another endpoint when there is one; only before anything reached"
          + " the client and while the request's body can be sent again; only idempotent"
          + " methods unless the attempt could not connect",
      "`retries.attempts`");
  static final ConfigKey<String> RETRY_ON = add("retryOn",
      RetryOnParser.format(RetryPolicy.ISTIO_DEFAULT), Syntax.text(), "",
      "what is retried: `connect-failure`, `reset` (a reset or protocol error before the"
          + " response head, and a per-try timeout), `5xx`, `gateway-error`, `retriable-4xx`;"
          + " bare status codes are retriable status codes",
      "`retries.retryOn`");
  static final ConfigKey<Duration> CONNECT_TIMEOUT = add("connectTimeout",
      Timeouts.DEFAULTS.connect(), Syntax.positiveDuration(), "",
      "the longest wait for a connection to a backend; then a connect failure",
      "`connectionPool.tcp.connectTimeout` (read from the DestinationRule too)");
  static final ConfigKey<Duration> TCP_CONNECT_TIMEOUT = add("tcp.connectTimeout",
      Timeouts.DEFAULTS.connect(), Syntax.positiveDuration(), "",
      "`connectTimeout` by its Istio name: the same setting; set at most one of the two",
      "`connectionPool.tcp.connectTimeout`");
  static final ConfigKey<Duration> REQUEST_TIMEOUT = add("requestTimeout",
      Timeouts.DEFAULTS.request(), Syntax.duration(), "",
      "the longest wait for a backend's response head, from when the request has been sent,"
          + " shared by all attempts; then 504 `upstream request timeout`; `0s` waits for ever."
          + " It ends at the head: a stream or server-sent events are never cut by it",
      "VirtualService `timeout` (Istio's default: none)");
  static final ConfigKey<Duration> PER_TRY_TIMEOUT = add("perTryTimeout",
      Timeouts.DEFAULTS.perTry(), Syntax.duration(), "off",
      "the longest wait for one attempt's response head; retried under `reset`, `5xx` or"
          + " `gateway-error`",
      "VirtualService `retries.perTryTimeout`");
  static final ConfigKey<Duration> IDLE_TIMEOUT = add("idleTimeout", Timeouts.DEFAULTS.idle(),
      Syntax.duration(), "",
      "the longest time without a byte either way on an open response or WebSocket tunnel; then"
          + " the client connection is closed; `0s` never",
      "Envoy's stream idle timeout (Istio's: 1 h); not `http.idleTimeout`, which is for idle"
          + " backend connections");
  static final ConfigKey<Long> TCP_MAX_CONNECTIONS = add("tcp.maxConnections",
      ConnectionPool.ISTIO_DEFAULTS.maxConnections(), limit(1), "",
      "[circuit breaking](#circuit-breaking): connections to the backends at once, over every"
          + " endpoint, so (HTTP/1.1) requests in progress; more wait in the pending queue",
      "`connectionPool.tcp.maxConnections`, Envoy `max_connections`");
  static final ConfigKey<Long> HTTP1_MAX_PENDING_REQUESTS = add("http.http1MaxPendingRequests",
      ConnectionPool.ISTIO_DEFAULTS.maxPendingRequests(), limit(1), "",
      "requests that wait for a connection slot, first come first served, at most"
          + " `requestTimeout` (then 504); with the queue full a request is answered 503"
          + " `... reset reason: overflow` at once",
      "`connectionPool.http.http1MaxPendingRequests`, Envoy `max_pending_requests`");
  static final ConfigKey<Long> HTTP_MAX_REQUESTS_PER_CONNECTION = add(
      "http.maxRequestsPerConnection", ConnectionPool.ISTIO_DEFAULTS.maxRequestsPerConnection(),
      limit(0), "",
      "requests one backend connection carries before it is closed; `0`: no limit; `1`: no"
          + " keep-alive",
      "`connectionPool.http.maxRequestsPerConnection`, Envoy `max_requests_per_connection`");
  static final ConfigKey<Duration> HTTP_IDLE_TIMEOUT = add("http.idleTimeout",
      ConnectionPool.ISTIO_DEFAULTS.idleTimeout(), Syntax.duration(), "",
      "how long a pooled backend connection with no request on it stays open; `0s`: until the"
          + " backend closes it",
      "`connectionPool.http.idleTimeout`, Envoy `common_http_protocol_options.idle_timeout`");
  static final ConfigKey<Long> HTTP_MAX_RETRIES = add("http.maxRetries",
      ConnectionPool.ISTIO_DEFAULTS.maxRetries(), limit(1), "",
      "retries in progress at once over every endpoint; a retry beyond it is not made, and the"
          + " attempt's own outcome is answered",
      "`connectionPool.http.maxRetries`, Envoy `max_retries`");
  static final ConfigKey<String> NAME = add("name", TetherConfig.DEFAULT_NAME, Syntax.text(), "",
      "name of this balancer in JMX (`dev.tether:type=Balancer,name=...`); a taken name gets"
          + " `-2`, `-3`, ...",
      "(Tether)");

  /** The keys that configure outlier detection; setting any of them turns it on. */
  static final List<ConfigKey<?>> OUTLIER = List.of(CONSECUTIVE_5XX_ERRORS,
      CONSECUTIVE_GATEWAY_ERRORS, OUTLIER_INTERVAL, BASE_EJECTION_TIME, MAX_EJECTION_PERCENT,
      MIN_HEALTH_PERCENT);

  /** The keys of {@code connectionPool}. */
  static final List<ConfigKey<?>> CONNECTION_POOL = List.of(TCP_MAX_CONNECTIONS,
      HTTP1_MAX_PENDING_REQUESTS, HTTP_MAX_REQUESTS_PER_CONNECTION, HTTP_IDLE_TIMEOUT,
      HTTP_MAX_RETRIES);

  /** The keys that may be set only with {@code healthCheckPath}. */
  static final List<ConfigKey<?>> HEALTH_CHECK = List.of(HEALTH_CHECK_INTERVAL,
      HEALTH_CHECK_TIMEOUT, HEALTHY_THRESHOLD, UNHEALTHY_THRESHOLD);

  private static final List<ConfigKey<?>> KEYS = List.copyOf(ALL);
  private static final Map<String, ConfigKey<?>> BY_NAME;
  private static final Map<String, String> DEFAULTS;

  static {
    Map<String, ConfigKey<?>> byName = new LinkedHashMap<>();
    Map<String, String> defaults = new LinkedHashMap<>();
    for (ConfigKey<?> key : KEYS) {
      byName.put(key.name(), key);
      defaults.put(key.name(), key.defaultText());
    }
    BY_NAME = Collections.unmodifiableMap(byName);
    DEFAULTS = Collections.unmodifiableMap(defaults);
  }

  private ConfigKeys() {}

  /** Every key, in documentation order. */
  public static List<ConfigKey<?>> all() {
    return KEYS;
  }

  /** Every key's name with its default text, in documentation order. */
  public static Map<String, String> defaults() {
    return DEFAULTS;
  }

  /** Whether {@code name} is a key. */
  public static boolean isKey(String name) {
    return BY_NAME.containsKey(name);
  }

  /**
   * What an unknown key should have been, for {@code name: value (expected: ...)}: the key it
   * most likely misspells ({@code a Tether key; did you mean requestTimeout?}), or when none is
   * close, the list of keys.
   */
  public static String expectedInsteadOf(String name) {
    String closest = Spelling.closest(name, BY_NAME.keySet());
    return closest != null
        ? "a Tether key; did you mean " + closest + "?"
        : "a Tether key: " + String.join(", ", BY_NAME.keySet());
  }

  private static <T> ConfigKey<T> add(String name, T defaultValue, Syntax<T> syntax,
      String defaultNote, String documentation, String equivalent) {
    ConfigKey<T> key =
        new ConfigKey<>(name, defaultValue, syntax, defaultNote, documentation, equivalent);
    ALL.add(key);
    return key;
  }

  private static Syntax<Long> ringSize() {
    return Syntax.wholeNumber(0, TetherConfig.RING_SIZE_LIMIT,
        "0 (default) to " + TetherConfig.RING_SIZE_LIMIT);
  }

  private static Syntax<Long> atLeastOne() {
    return Syntax.wholeNumber(1, Integer.MAX_VALUE, "a whole number >= 1");
  }

  /** A circuit-breaking limit: {@code min} to 2^32-1, Istio's "unset" and Envoy's UInt32. */
  private static Syntax<Long> limit(long min) {
    return Syntax.wholeNumber(min, ConnectionPool.UNLIMITED,
        min + " to " + ConnectionPool.UNLIMITED + (min == 0 ? " (0: no limit)" : ""));
  }

  private static Syntax<Long> errorRun() {
    return Syntax.wholeNumber(0, Integer.MAX_VALUE, "a whole number >= 0 (0 disables)");
  }

  private static Syntax<Long> percent() {
    return Syntax.wholeNumber(0, 100, "0 to 100 (percent)");
  }
}
