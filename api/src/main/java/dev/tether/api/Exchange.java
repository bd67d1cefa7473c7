package dev.tether.api;

/**
 * One client request on its way through the proxy: it owns the attempt loop (route, forward,
 * classify the outcome, retry), the accounting of every attempt (in flight, outlier detection,
 * open tunnels), the headers on both legs and the local replies. A front end only moves bytes and
 * header fields between its container and a backend, and asks the exchange what to do next.
 *
 * <p>The conversation, for every front end:
 *
 * <pre>{@code
 * Exchange exchange = proxy.open(clientRequest);
 * Step step = exchange.start();                       // FORWARD or REPLY
 * while (step == FORWARD) {
 *   // connect to exchange.endpoint(), send the method, target, exchange.requestHeaders(...)
 *   // and the body (calling bodyRead() before the first body byte is read); once sent, wait at
 *   // most exchange.requestSent() nanoseconds for the response head
 *   step = failure == null ? exchange.responded(status) : exchange.failed(failure);
 *   // a FORWARD after responded(): drop that response, forward again
 * }
 * switch (step) {
 *   case REPLY  -> write exchange.reply()
 *   case RELAY  -> write the status, exchange.responseHeaders(...), stream the body
 *   case TUNNEL -> write the 101 with exchange.responseHeaders(...), then move bytes both ways
 *   case CLOSE  -> close the client connection (the client is gone, or a body was cut)
 * }
 * // a RELAY or TUNNEL ends with completed(), or failed(RESET_DURING_BODY | IDLE_TIMEOUT |
 * // CANCELLED), which answers CLOSE
 * }</pre>
 *
 * <p>Calls for one exchange are made one after the other (possibly from different threads);
 * implementations make them visible across threads. A call out of turn is answered with
 * {@link Step#CLOSE} rather than an exception, so a late callback of an abandoned attempt cannot
 * break the request.
 */
public interface Exchange {
  /** The request attribute naming the backend used, {@code ip:port}, for access logs. */
  String UPSTREAM_ATTRIBUTE = "tether.upstream";

  /** What the front end does next. */
  enum Step {
    /** Send the request to {@link #endpoint()}: a first attempt or a retry. */
    FORWARD,
    /** Answer the client with {@link #reply()}; nothing of a backend's answer was relayed. */
    REPLY,
    /** Relay the backend's response: its status, {@link #responseHeaders}, its body. */
    RELAY,
    /** Relay the backend's 101, then carry bytes both ways until either side closes. */
    TUNNEL,
    /** Close the client connection: it is gone, or a response already started cannot finish. */
    CLOSE
  }

  /** The first step: {@link Step#FORWARD}, or {@link Step#REPLY} when no endpoint can serve. */
  Step start();

  /** The endpoint of the attempt in progress (after {@link Step#FORWARD}). */
  Endpoint endpoint();

  /** {@link #endpoint()}'s {@code ip:port}, for {@link #UPSTREAM_ATTRIBUTE}. */
  String upstream();

  /** The local reply to write (after {@link Step#REPLY}). */
  LocalReply reply();

  /**
   * Whether the client asked for an HTTP/1.1 protocol upgrade (WebSocket, or any other) that
   * Tether carries as a tunnel: {@code Connection: upgrade} with an {@code Upgrade} header, over
   * HTTP/1.1, without a request body, and not {@code h2c} (which the container's own HTTP/2
   * support answers). Other requests are forwarded as plain requests, their {@code Upgrade}
   * dropped as a hop-by-hop field.
   */
  boolean isUpgrade();

  /**
   * Writes the proxy -> server request's header fields: {@code Host} first, the client's
   * end-to-end fields in order, {@code Cookie} joined into one, {@code X-Forwarded-For} with the
   * client appended, {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, and for an upgrade
   * {@code Connection: Upgrade} and the client's {@code Upgrade}. Framing fields
   * ({@code Content-Length}, {@code Transfer-Encoding}) are the transport's to write.
   */
  void requestHeaders(HeaderSink proxyRequest);

  /**
   * Call before the first byte of the client's body is read for an attempt: from then on the
   * request cannot be sent again, so no failure is retried.
   */
  void bodyRead();

  /**
   * Call when the attempt's request has been sent. Returns how long to wait for its response
   * head, in nanoseconds: the sooner of the per-try timeout and what is left of the request
   * timeout; 0 for no limit. When it runs out, report {@link Failure#TIMEOUT}.
   */
  long requestSent();

  /**
   * The attempt failed. Before a response was relayed the answer is {@link Step#FORWARD} (a
   * retry, to {@link #endpoint()}) or {@link Step#REPLY}; after, and for
   * {@link Failure#CANCELLED}, it is {@link Step#CLOSE}.
   */
  Step failed(Failure failure);

  /**
   * The attempt's backend answered with this final status (a 1xx other than 101 is not final).
   * The answer is {@link Step#RELAY}, {@link Step#TUNNEL} (a 101 to an upgrade), or
   * {@link Step#FORWARD} or {@link Step#REPLY} when this answer is not relayed (a status the retry
   * policy retries, or a 101 that nobody asked for): the front end then drops it.
   */
  Step responded(int status);

  /**
   * Writes the proxy -> client response's header fields for the response being relayed: the
   * backend's end-to-end fields in order (for a 101, {@code Connection: Upgrade} and its
   * {@code Upgrade} too), then the session header or cookies the balancer adds.
   */
  void responseHeaders(HeaderFields serverResponse, HeaderSink clientResponse);

  /** The relayed response or the tunnel ended normally. */
  void completed();

  /** Attempts made so far, the first included. */
  int attempts();
}
