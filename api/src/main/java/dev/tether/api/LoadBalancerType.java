package dev.tether.api;

/** The consistent-hash algorithm: Envoy's {@code RING_HASH} or {@code MAGLEV}. */
public enum LoadBalancerType {
  RING_HASH,
  MAGLEV
}
