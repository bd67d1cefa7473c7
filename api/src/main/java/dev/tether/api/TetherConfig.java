package dev.tether.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tether's whole configuration, immutable. The Jetty module reads it from {@code tether.<key>}
 * properties and the Tomcat valve from {@code <Valve>} attributes; both go through the core's
 * parser, so the keys and their checks are the same everywhere.
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
 * @param outlierDetection outlier ejection; null when off
 * @param destinationRule the DestinationRule file this was read from; empty when none
 * @param endpointSource where the endpoints come from: the static list above, a DNS name or a
 *     file; for a file, {@code endpoints} holds the set read when the configuration was parsed,
 *     for DNS it is empty until the name is resolved at start
 * @param healthCheck active health checking; null when off
 * @param retryPolicy when and how often a failed attempt is retried
 * @param timeouts how long every front end waits for a backend
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
    String name) {

  public static final long DEFAULT_MINIMUM_RING_SIZE = 1024;
  public static final long DEFAULT_MAXIMUM_RING_SIZE = 8_388_608;
  /** Envoy's hard upper bound on ring sizes. */
  public static final long RING_SIZE_LIMIT = 8_388_608;
  public static final long DEFAULT_TABLE_SIZE = 65_537;
  public static final int DEFAULT_PANIC_THRESHOLD = 50;
  /** The JMX name of a balancer whose configuration names none. */
  public static final String DEFAULT_NAME = "tether";

  public TetherConfig {
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(loadBalancer, "loadBalancer");
    Objects.requireNonNull(hashFunction, "hashFunction");
    localityWeights = java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(localityWeights));
    hashPolicies = List.copyOf(hashPolicies);
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(destinationRule, "destinationRule");
    Objects.requireNonNull(endpointSource, "endpointSource");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(name, "name");
  }

  /**
   * A configuration of static endpoints without health checks, with Istio's default retries, the
   * default timeouts and the default name: the shape this record had before endpoint sources
   * existed.
   */
  public TetherConfig(
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
      String destinationRule) {
    this(endpoints, loadBalancer, minimumRingSize, maximumRingSize, hashFunction, tableSize,
        useHostnameForHashing, panicThreshold, localityWeights, hashBalanceFactor, hashPolicies,
        session, outlierDetection, destinationRule, EndpointSource.STATIC, null,
        RetryPolicy.ISTIO_DEFAULT, Timeouts.DEFAULTS, DEFAULT_NAME);
  }
}
