package dev.tether.core;

import dev.tether.api.Endpoint;

/**
 * Hosts of one priority with their normalised weights, in the order the table builders consume
 * them (Envoy's {@code NormalizedHostWeightVector}).
 *
 * @param hosts the hosts
 * @param keys each host's hash key (hash key, host name or address)
 * @param weights each host's normalised weight
 * @param min the smallest weight (1.0 when empty, as Envoy starts it)
 * @param max the largest weight (0.0 when empty)
 */
record WeightedHosts(Endpoint[] hosts, String[] keys, double[] weights, double min, double max) {
  boolean isEmpty() {
    return hosts.length == 0;
  }
}
