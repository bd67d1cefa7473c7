package dev.tether.api;

import java.util.List;

/**
 * The routing and accounting both containers rely on: {@link #route} per request, {@link #retry}
 * per retry, {@link #responseHeaders} per response, and the in-flight hooks around each attempt.
 * Front ends do not call it directly: an {@link Exchange} (from a {@link Proxy}) makes these calls
 * in the one order every front end shares.
 *
 * <p>Implementations are thread-safe and do not block: routing data is built off the request path
 * and published immutably. A balancer may own background work (DNS or file discovery, health
 * checks, outlier ejection sweeps, JMX registration); {@link #close()} stops it.
 */
public interface Balancer extends AutoCloseable {

  /** Chooses the endpoint for a new request: session first, then hash policies, as Envoy does. */
  Decision route(RequestView request);

  /**
   * Chooses the endpoint for a retry of {@code previous}: the session is ignored and the next
   * host-selection attempt is used on the same hash, so a retry lands elsewhere when it can.
   */
  Decision retry(RequestView request, Decision previous);

  /**
   * The headers to add to the client response once {@code served} answered {@code decision}'s
   * request: a generated hash cookie, and the session cookie or header when the endpoint differs
   * from the one the request named, or when the named one served but its value must be renewed
   * ({@link Decision#renewSession()}: sealed values only).
   */
  List<ResponseHeader> responseHeaders(Decision decision, Endpoint served);

  /** Call when a request is sent to {@code endpoint}; feeds bounded-load hashing and metrics. */
  void requestStarted(Endpoint endpoint);

  /**
   * Call when the exchange with {@code endpoint} ends with a response, once per attempt (for a
   * relayed response when its body has been relayed, for a tunnel when it closes); feeds
   * bounded-load hashing, outlier ejection and metrics.
   *
   * @param status the backend's HTTP status
   */
  void requestFinished(Endpoint endpoint, int status);

  /**
   * Call instead of {@link #requestFinished} when the attempt at {@code endpoint} ends without a
   * complete exchange. Connect failures, resets and timeouts count as gateway errors for outlier
   * detection, as Envoy counts locally originated failures; {@link Failure#CANCELLED} (the client
   * left) counts against nobody.
   */
  void requestFailed(Endpoint endpoint, Failure failure);

  /**
   * Call when a circuit-breaking limit refused a request ({@link Overflow#PENDING}) or a retry
   * ({@link Overflow#RETRY}); feeds the balancer's overflow counters. No endpoint is to blame:
   * nothing was sent, and outlier detection does not hear of it.
   */
  default void overflowed(Overflow overflow) {}

  /**
   * Call when {@code endpoint} answered an upgrade with 101 and the tunnel opens. The attempt
   * stays in flight (draining waits for it) until {@link #tunnelClosed}.
   */
  void tunnelOpened(Endpoint endpoint);

  /** Call when a tunnel opened by {@link #tunnelOpened} closes, before the attempt ends. */
  void tunnelClosed(Endpoint endpoint);

  /**
   * The endpoints currently known, with the health the balancer uses (the source's, a failed
   * health check, an ejection or a drain): configuration order for a static list, address order
   * for DNS and file sources.
   */
  List<Endpoint> endpoints();

  /** The configuration this balancer was built from. */
  TetherConfig config();

  /**
   * Stops background work (discovery, health checks, ejection sweeps) and unregisters the JMX
   * beans. Routing keeps working on the last endpoint set. Idempotent; never throws.
   */
  @Override
  default void close() {}
}
