package dev.tether.client;

import java.io.IOException;

/**
 * A failure of one exchange with a backend, with the stage it happened at: the containers answer
 * each differently (a connect failure may be retried on another backend, a timeout is a 504, a
 * failure after the head a truncated response).
 */
public final class UpstreamException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Where the exchange failed. */
  public enum Kind {
    /** No connection could be made: the backend never saw the request. */
    CONNECT,
    /** The response head did not arrive in time: the backend has the request. */
    TIMEOUT,
    /** The connection failed or closed before a complete response head: the backend may have it. */
    RESET,
    /** The backend answered something that is not an HTTP/1.1 response head. */
    PROTOCOL,
    /** Reading the client's request body failed: the client is gone or sent less than it said. */
    REQUEST_BODY,
    /** The response body failed after its head: the client response may be partly written. */
    RESPONSE_BODY
  }

  private final Kind kind;

  UpstreamException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  UpstreamException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** The stage of the exchange that failed. */
  public Kind kind() {
    return kind;
  }
}
