package dev.tether.client;

import java.io.IOException;

/**
 * A failure of one exchange with a backend, with the stage it happened at, which is all a front
 * end needs to name the failure to the proxy exchange ({@code dev.tether.api.Failure}): a connect
 * failure may be retried on another backend, a timeout is a 504, a failure after the head cuts
 * the client response, a failure of the client's own body is the client's doing.
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
    RESPONSE_BODY,
    /** No byte of the response body within the body timeout: the backend went quiet. */
    RESPONSE_BODY_TIMEOUT
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
