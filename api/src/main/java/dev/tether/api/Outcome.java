package dev.tether.api;

/** How the balancer reached its decision. */
public enum Outcome {
  /** The request's session value named a current endpoint whose health allows overrides. */
  SESSION,
  /** The hash policies produced a hash, which chose the endpoint. */
  HASH,
  /** No hash policy produced a value: a random hash chose the endpoint, as in Envoy. */
  RANDOM,
  /** A retry: the next host-selection attempt on the same hash, the session ignored. */
  RETRY,
  /** Strict sessions: the session named an endpoint that cannot serve it; answer 503. */
  STRICT_REJECTED,
  /** No endpoint can serve: answer 503 "no healthy upstream". */
  NO_HEALTHY_UPSTREAM;

  /** Whether the decision carries an endpoint to forward to. */
  public boolean routed() {
    return this != STRICT_REJECTED && this != NO_HEALTHY_UPSTREAM;
  }
}
