package dev.tether.api;

import java.util.List;

/**
 * The one entry point both containers call: {@link #route} per request, {@link #retry} per retry,
 * {@link #responseHeaders} per response, and the in-flight hooks around each forwarded exchange.
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
   * Call when the exchange with {@code endpoint} ends, once per attempt; feeds bounded-load
   * hashing, outlier ejection and metrics.
   *
   * @param status the backend's HTTP status, or 0 when no response came (connect or I/O failure)
   */
  void requestFinished(Endpoint endpoint, int status);

  /**
   * Whether the attempt that {@code decision} chose should be retried through {@link #retry}.
   * Call it after {@link #requestFinished} for a connect failure ({@code status} 0) and for a
   * backend response whose status might be retried (say, 503) before anything of that response
   * went to the client. The answer is true only when all hold: fewer than the configured
   * {@code retries} were made, {@code retryOn} covers the failure, the method is idempotent (GET,
   * HEAD, OPTIONS, PUT, DELETE, TRACE), and the decision is not a strict session (a strict session
   * answers 503 rather than move). The caller must also know that the request body, if any, can be
   * sent again.
   *
   * <p>This default is the rule the containers used before retry policies existed: connect
   * failures only, at most 2 retries.
   *
   * @param request the client request
   * @param decision the decision of the failed attempt
   * @param status the backend's status, or 0 for a connect failure
   * @param retriesSoFar retries already made for this request (0 after the first attempt)
   */
  default boolean shouldRetry(RequestView request, Decision decision, int status, int retriesSoFar) {
    if (status != 0 || retriesSoFar >= 2 || !decision.routed()) {
      return false;
    }
    if (decision.outcome() == Outcome.SESSION && config().session().strict()) {
      return false;
    }
    return RetryPolicy.idempotent(request.method());
  }

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
