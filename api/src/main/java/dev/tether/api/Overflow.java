package dev.tether.api;

/**
 * Which circuit-breaking limit ({@link ConnectionPool}) a request ran into, as Envoy counts it,
 * reported by the exchange to {@link Balancer#overflowed}.
 */
public enum Overflow {
  /**
   * Every connection slot taken and the pending queue full: the request was answered 503
   * {@link LocalReply#OVERFLOW} at once (Envoy's {@code upstream_rq_pending_overflow}).
   */
  PENDING,
  /**
   * A retry the policy asked for was not made because every retry slot was taken; the attempt's
   * own outcome was answered (Envoy's {@code upstream_rq_retry_overflow}).
   */
  RETRY
}
