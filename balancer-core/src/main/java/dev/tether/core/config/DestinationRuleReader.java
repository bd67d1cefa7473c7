package dev.tether.core.config;

import dev.tether.api.ConnectionPool;
import dev.tether.api.CookieAttribute;
import dev.tether.api.HashPolicy;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.OutlierDetection;
import dev.tether.core.ConfigException;
import dev.tether.core.internal.Tokens;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads what Tether honours of an Istio {@code DestinationRule}
 * (networking.istio.io v1, v1beta1 or v1alpha3): {@code trafficPolicy.loadBalancer.consistentHash}
 * {@code trafficPolicy.outlierDetection} and {@code trafficPolicy.connectionPool}, mapped as
 * Istio maps them to Envoy.
 *
 * @see <a href="https://istio.io/latest/docs/reference/config/networking/destination-rule/">
 *     Istio DestinationRule reference</a>
 */
final class DestinationRuleReader {
  static final String KEY = "destinationRule";
  private static final Set<String> API_VERSIONS = Set.of(
      "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3");

  /**
   * What the rule sets; null fields were not set.
   *
   * @param hashPolicies the consistent-hash policy, as a one-element list
   * @param loadBalancer ring hash or Maglev
   * @param minimumRingSize ring hash minimum size
   * @param tableSize Maglev table size
   * @param outlierDetection outlier detection
   * @param connectTimeout {@code connectionPool.tcp.connectTimeout}
   * @param connectionPool the rest of {@code connectionPool}, Istio's defaults for what it leaves
   *     unset
   */
  record Settings(
      List<HashPolicy> hashPolicies, LoadBalancerType loadBalancer, Long minimumRingSize,
      Long tableSize, OutlierDetection outlierDetection, Duration connectTimeout,
      ConnectionPool connectionPool) {
    /** A rule that sets nothing. */
    static final Settings NONE = new Settings(null, null, null, null, null, null, null);
  }

  private DestinationRuleReader() {}

  static Settings read(Path file, String given) {
    Object document;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      document = null;
      for (Object candidate : Yamls.loader().loadAll(reader)) {
        if (candidate instanceof Map<?, ?> map && "DestinationRule".equals(map.get("kind"))) {
          document = candidate;
          break;
        }
      }
    } catch (IOException e) {
      throw new ConfigException(KEY, given, "a readable file (" + e + ")", e);
    } catch (YAMLException e) {
      throw new ConfigException(KEY, given,
          "valid YAML (" + e.getMessage().replace('\n', ' ') + ")", e);
    }
    if (document == null) {
      throw new ConfigException(KEY, given, "a YAML document with kind: DestinationRule");
    }
    Map<?, ?> rule = (Map<?, ?>) document;
    Object apiVersion = rule.get("apiVersion");
    if (!API_VERSIONS.contains(String.valueOf(apiVersion))) {
      throw new ConfigException(KEY + ".apiVersion", String.valueOf(apiVersion),
          "networking.istio.io/v1, v1beta1 or v1alpha3");
    }
    Map<?, ?> spec = map(rule, "spec", KEY + ".spec");
    Map<?, ?> trafficPolicy = spec == null ? null : map(spec, "trafficPolicy", KEY + ".spec.trafficPolicy");
    if (trafficPolicy == null) {
      return Settings.NONE;
    }
    String base = KEY + ".spec.trafficPolicy";
    List<HashPolicy> policies = null;
    LoadBalancerType loadBalancer = null;
    Long minimumRingSize = null;
    Long tableSize = null;
    Map<?, ?> lb = map(trafficPolicy, "loadBalancer", base + ".loadBalancer");
    if (lb != null) {
      Map<?, ?> consistentHash = map(lb, "consistentHash", base + ".loadBalancer.consistentHash");
      if (consistentHash == null) {
        throw new ConfigException(base + ".loadBalancer", String.valueOf(lb),
            "consistentHash (Tether balances by consistent hash only)");
      }
      String chKey = base + ".loadBalancer.consistentHash";
      policies = List.of(hashPolicy(consistentHash, chKey));
      Map<?, ?> ringHash = map(consistentHash, "ringHash", chKey + ".ringHash");
      Map<?, ?> maglev = map(consistentHash, "maglev", chKey + ".maglev");
      if (ringHash != null && maglev != null) {
        throw new ConfigException(chKey, String.valueOf(consistentHash),
            "at most one of ringHash and maglev");
      }
      if (maglev != null) {
        loadBalancer = LoadBalancerType.MAGLEV;
        long size = number(maglev, "tableSize", chKey + ".maglev.tableSize", 0);
        tableSize = size == 0 ? null : size;
      } else {
        loadBalancer = LoadBalancerType.RING_HASH;
        long size = ringHash != null
            ? number(ringHash, "minimumRingSize", chKey + ".ringHash.minimumRingSize", 0)
            : number(consistentHash, "minimumRingSize", chKey + ".minimumRingSize", 0);
        minimumRingSize = size == 0 ? null : size;
      }
    }
    OutlierDetection outlier = null;
    Map<?, ?> od = map(trafficPolicy, "outlierDetection", base + ".outlierDetection");
    if (od != null) {
      outlier = outlierDetection(od, base + ".outlierDetection");
    }
    return new Settings(policies, loadBalancer, minimumRingSize, tableSize, outlier,
        connectTimeout(trafficPolicy, base + ".connectionPool"),
        connectionPool(trafficPolicy, base + ".connectionPool"));
  }

  /**
   * {@code connectionPool}'s limits and idle timeout, or null when the rule sets none. A limit of
   * 0 is unset, as Istio reads it (its fields are int32, 0 their zero value), and takes Istio's
   * default, 2^32-1; {@code maxRequestsPerConnection: 0} is "no limit" either way.
   */
  private static ConnectionPool connectionPool(Map<?, ?> trafficPolicy, String key) {
    Map<?, ?> pool = map(trafficPolicy, "connectionPool", key);
    if (pool == null) {
      return null;
    }
    Map<?, ?> tcp = map(pool, "tcp", key + ".tcp");
    Map<?, ?> http = map(pool, "http", key + ".http");
    ConnectionPool d = ConnectionPool.ISTIO_DEFAULTS;
    long maxConnections = tcp == null ? 0 : int32(tcp, "maxConnections", key + ".tcp");
    long maxPending = http == null ? 0 : int32(http, "http1MaxPendingRequests", key + ".http");
    long perConnection = http == null ? 0
        : int32(http, "maxRequestsPerConnection", key + ".http");
    long maxRetries = http == null ? 0 : int32(http, "maxRetries", key + ".http");
    Duration idle = http == null ? d.idleTimeout()
        : duration(http, "idleTimeout", key + ".http.idleTimeout", d.idleTimeout());
    return new ConnectionPool(maxConnections == 0 ? d.maxConnections() : maxConnections,
        maxPending == 0 ? d.maxPendingRequests() : maxPending, perConnection, idle,
        maxRetries == 0 ? d.maxRetries() : maxRetries);
  }

  /** An Istio int32 limit, 0 when absent. */
  private static long int32(Map<?, ?> parent, String field, String key) {
    Object value = parent.get(field);
    if (value == null) {
      return 0;
    }
    if ((value instanceof Integer || value instanceof Long)
        && ((Number) value).longValue() >= 0 && ((Number) value).longValue() <= Integer.MAX_VALUE) {
      return ((Number) value).longValue();
    }
    throw new ConfigException(key + "." + field, String.valueOf(value),
        "a whole number from 0 to " + Integer.MAX_VALUE + " (0: Istio's default)");
  }

  /** {@code connectionPool.tcp.connectTimeout}, or null when the rule does not set it. */
  private static Duration connectTimeout(Map<?, ?> trafficPolicy, String key) {
    Map<?, ?> pool = map(trafficPolicy, "connectionPool", key);
    Map<?, ?> tcp = pool == null ? null : map(pool, "tcp", key + ".tcp");
    Object value = tcp == null ? null : tcp.get("connectTimeout");
    if (value == null) {
      return null;
    }
    Duration timeout = Durations.parse(key + ".tcp.connectTimeout", String.valueOf(value));
    if (timeout.isZero()) {
      throw new ConfigException(key + ".tcp.connectTimeout", String.valueOf(value),
          "a duration above zero, such as 500ms or 5s");
    }
    return timeout;
  }

  private static HashPolicy hashPolicy(Map<?, ?> consistentHash, String key) {
    List<HashPolicy> found = new ArrayList<>();
    if (consistentHash.get("httpHeaderName") != null) {
      String name = String.valueOf(consistentHash.get("httpHeaderName"));
      requireToken(key + ".httpHeaderName", name);
      found.add(HashPolicy.header(name));
    }
    if (consistentHash.get("httpCookie") != null) {
      Map<?, ?> cookie = map(consistentHash, "httpCookie", key + ".httpCookie");
      String name = String.valueOf(cookie.get("name"));
      requireToken(key + ".httpCookie.name", name);
      Object ttlValue = cookie.get("ttl");
      Duration ttl = ttlValue == null ? null
          : Durations.parse(key + ".httpCookie.ttl", String.valueOf(ttlValue));
      String path = cookie.get("path") == null ? "" : String.valueOf(cookie.get("path"));
      List<CookieAttribute> attributes = new ArrayList<>();
      Object attributeList = cookie.get("attributes");
      if (attributeList != null) {
        if (!(attributeList instanceof List<?> list)) {
          throw new ConfigException(key + ".httpCookie.attributes", String.valueOf(attributeList),
              "a list of {name, value}");
        }
        for (Object item : list) {
          if (!(item instanceof Map<?, ?> attribute) || attribute.get("name") == null) {
            throw new ConfigException(key + ".httpCookie.attributes", String.valueOf(item),
                "{name: NAME, value: VALUE}");
          }
          Object value = attribute.get("value");
          attributes.add(new CookieAttribute(String.valueOf(attribute.get("name")),
              value == null ? "" : String.valueOf(value)));
        }
      }
      found.add(new HashPolicy(HashPolicy.Type.COOKIE, name, ttl, path, attributes, false));
    }
    Object sourceIp = consistentHash.get("useSourceIp");
    if (sourceIp != null) {
      if (!(sourceIp instanceof Boolean enabled)) {
        throw new ConfigException(key + ".useSourceIp", String.valueOf(sourceIp), "true or false");
      }
      if (enabled) {
        found.add(HashPolicy.sourceIp());
      }
    }
    if (consistentHash.get("httpQueryParameterName") != null) {
      String name = String.valueOf(consistentHash.get("httpQueryParameterName"));
      requireToken(key + ".httpQueryParameterName", name);
      found.add(HashPolicy.queryParameter(name));
    }
    if (found.size() != 1) {
      throw new ConfigException(key, String.valueOf(consistentHash),
          "exactly one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName");
    }
    return found.get(0);
  }

  private static OutlierDetection outlierDetection(Map<?, ?> od, String key) {
    OutlierDetection d = OutlierDetection.ISTIO_DEFAULTS;
    long consecutive5xx = od.containsKey("consecutive5xxErrors")
        ? number(od, "consecutive5xxErrors", key + ".consecutive5xxErrors", 0)
        : od.containsKey("consecutiveErrors")
            ? number(od, "consecutiveErrors", key + ".consecutiveErrors", 0)
            : d.consecutive5xxErrors();
    long gateway = number(od, "consecutiveGatewayErrors", key + ".consecutiveGatewayErrors",
        d.consecutiveGatewayErrors());
    Duration interval = duration(od, "interval", key + ".interval", d.interval());
    Duration baseEjection = duration(od, "baseEjectionTime", key + ".baseEjectionTime",
        d.baseEjectionTime());
    long maxPercent = number(od, "maxEjectionPercent", key + ".maxEjectionPercent",
        d.maxEjectionPercent());
    long minHealth = number(od, "minHealthPercent", key + ".minHealthPercent",
        d.minHealthPercent());
    if (maxPercent > 100) {
      throw new ConfigException(key + ".maxEjectionPercent", String.valueOf(maxPercent),
          "0 to 100");
    }
    if (minHealth > 100) {
      throw new ConfigException(key + ".minHealthPercent", String.valueOf(minHealth), "0 to 100");
    }
    if (interval.isZero()) {
      throw new ConfigException(key + ".interval", "0s", "a duration above zero");
    }
    return new OutlierDetection(true, (int) consecutive5xx, (int) gateway, interval, baseEjection,
        (int) maxPercent, (int) minHealth);
  }

  private static Map<?, ?> map(Map<?, ?> parent, String field, String key) {
    Object value = parent.get(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new ConfigException(key, String.valueOf(value), "a mapping");
    }
    return map;
  }

  private static long number(Map<?, ?> parent, String field, String key, long fallback) {
    Object value = parent.get(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Integer || value instanceof Long) {
      long n = ((Number) value).longValue();
      if (n >= 0 && n <= 0xFFFFFFFFL) {
        return n;
      }
    }
    throw new ConfigException(key, String.valueOf(value), "a whole number from 0 to 4294967295");
  }

  private static Duration duration(Map<?, ?> parent, String field, String key, Duration fallback) {
    Object value = parent.get(field);
    return value == null ? fallback : Durations.parse(key, String.valueOf(value));
  }

  private static void requireToken(String key, String name) {
    if (!Tokens.isToken(name)) {
      throw new ConfigException(key, name, "a name made of token characters");
    }
  }
}
