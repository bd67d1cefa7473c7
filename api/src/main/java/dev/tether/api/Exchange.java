package dev.tether.api;

import java.util.function.Consumer;

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
 * Step step = exchange.start();                       // FORWARD or REPLY (may wait: see below)
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
 * <p><b>Circuit breaking.</b> {@code start} admits the request under the balancer's
 * {@link ConnectionPool} limits: it takes a connection slot, or queues the request until one is
 * free, or answers {@link LocalReply#OVERFLOW} at once. A queued request must not cost a thread
 * on a non-blocking front end, so there are two ways in:
 * <ul>
 *   <li>{@link #start()} waits on the calling thread while the request is queued: for a front end
 *       whose request thread is the request's anyway (the Tomcat valve, whose blocking client
 *       holds it for the whole exchange).
 *   <li>{@link #start(Consumer)} never waits: the continuation gets the first step, at once on the
 *       calling thread when no wait is needed, later otherwise, on the thread that freed a slot
 *       (inside its {@link #completed()} or {@link #failed}) or on Tether's pending timer. That
 *       thread is not the front end's to keep: the continuation hands the work to the container's
 *       executor (the Jetty module does).
 * </ul>
 * A new step rather than a callback (a {@code WAIT} answer and a later notification) was not
 * chosen because a front end would then have to register for the notification after
 * {@code start} returned, racing the slot it might already have been handed.
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

  /**
   * The first step: {@link Step#FORWARD}, or {@link Step#REPLY} when no endpoint can serve, when
   * circuit breaking refuses the request ({@link LocalReply#OVERFLOW}), or when it waited in the
   * pending queue for the whole request timeout ({@link LocalReply#REQUEST_TIMEOUT}). Waits on
   * the calling thread while the request is queued; see the class comment.
   */
  Step start();

  /**
   * {@link #start()} without waiting: {@code next} is called exactly once with the first step,
   * at once on this thread unless the request is queued, else later on another thread (see the
   * class comment). If the front end calls {@link #failed}{@code (CANCELLED)} while the request
   * is queued (its client left), {@code next} is not called at all.
   */
  void start(Consumer<Step> next);

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
   * {@link Failure#CANCELLED}, it is {@link Step#CLOSE}. A retry is made only while a retry slot
   * is free ({@link ConnectionPool#maxRetries()}), and never for a request whose bytes may have
   * reached the backend unless its method is idempotent ({@link RetryPolicy#idempotent}).
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
