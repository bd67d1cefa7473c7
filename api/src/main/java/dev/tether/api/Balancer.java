package dev.tether.api;

import java.util.List;

/**
 * The one entry point both containers call: {@link #route} per request, {@link #retry} per retry,
 * {@link #responseHeaders} per response, and the in-flight hooks around each forwarded exchange.
 *
 * <p>Implementations are thread-safe and do not block: routing data is built off the request path
 * and published immutably.
 */
public interface Balancer {

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
   * from the one the request named.
   */
  List<ResponseHeader> responseHeaders(Decision decision, Endpoint served);

  /** Call when a request is sent to {@code endpoint}; feeds bounded-load hashing. */
  void requestStarted(Endpoint endpoint);

  /**
   * Call when the exchange with {@code endpoint} ends.
   *
   * @param status the backend's HTTP status, or 0 when no response came (connect or I/O failure)
   */
  void requestFinished(Endpoint endpoint, int status);

  /** The endpoints currently known, in configuration order. */
  List<Endpoint> endpoints();

  /** The configuration this balancer was built from. */
  TetherConfig config();
}
