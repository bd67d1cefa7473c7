package dev.tether.core;

import dev.tether.api.Endpoint;

/**
 * A consistent-hash lookup structure for one priority, immutable once built: a ring or a Maglev
 * table, optionally bounded by load. Public so that tools (the CLI's {@code table}), benchmarks
 * and tests can ask a table what it holds; the implementations stay in the core. Two tables are
 * {@code equals} when they hold the same endpoints at the same entries, so they choose alike for
 * every hash: what two replicas given the same endpoints in any order must build.
 */
public interface HostTable {

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
