package dev.tether.core;

import dev.tether.api.Endpoint;

/**
 * A consistent-hash lookup structure for one priority, immutable once built: a ring or a Maglev
 * table, optionally bounded by load.
 */
interface HostTable {

  /**
   * The endpoint for an unsigned 64-bit hash, on host-selection attempt {@code attempt} (0 first;
   * each further attempt is Envoy's way of looking elsewhere for a retry). Null when empty.
   */
  Endpoint pick(long hash, int attempt);

  /** The number of ring entries or table slots. */
  int size();

  /** How many entries or slots {@code endpoint} holds. */
  int entries(Endpoint endpoint);
}
