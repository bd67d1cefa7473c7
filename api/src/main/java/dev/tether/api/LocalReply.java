package dev.tether.api;

import java.util.Objects;

/**
 * An answer the proxy gives itself, as Envoy's router does when no backend answer can be relayed:
 * the same status and the same plain-text body on every front end, with
 * {@code content-type: text/plain} ({@link #CONTENT_TYPE}). Container error pages never answer for
 * Tether.
 *
 * @param status the HTTP status
 * @param body the whole body, exactly as Envoy writes it (no trailing newline)
 */
public record LocalReply(int status, String body) {
  /** The content type of every local reply, as Envoy sends it. */
  public static final String CONTENT_TYPE = "text/plain";

  /** No endpoint can serve (nothing to route to, or a strict session whose endpoint is gone). */
  public static final LocalReply NO_HEALTHY_UPSTREAM = new LocalReply(503, "no healthy upstream");

  /** The last attempt could not connect. */
  public static final LocalReply CONNECTION_FAILURE = new LocalReply(503,
      "upstream connect error or disconnect/reset before headers. reset reason: connection failure");

  /** The last attempt's connection closed or was reset before a response head. */
  public static final LocalReply CONNECTION_TERMINATION = new LocalReply(503,
      "upstream connect error or disconnect/reset before headers."
          + " reset reason: connection termination");

  /** The last attempt's backend answered with something that is not HTTP. */
  public static final LocalReply PROTOCOL_ERROR = new LocalReply(503,
      "upstream connect error or disconnect/reset before headers. reset reason: protocol error");

  /**
   * Circuit breaking refused the request: every connection slot of the balancer was taken and its
   * pending queue full ({@link ConnectionPool}). Envoy also sends {@code x-envoy-overloaded: true}
   * with it; Tether's local replies carry no {@code x-envoy-*} field, this one included.
   */
  public static final LocalReply OVERFLOW = new LocalReply(503,
      "upstream connect error or disconnect/reset before headers. reset reason: overflow");

  /** No response head within the request timeout (or the last attempt's per-try timeout). */
  public static final LocalReply REQUEST_TIMEOUT = new LocalReply(504, "upstream request timeout");

  /** The client's request target cannot be sent to a backend as it is. */
  public static final LocalReply BAD_REQUEST_TARGET = new LocalReply(400, "bad request target");

  public LocalReply {
    Objects.requireNonNull(body, "body");
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 200 to 599)");
    }
  }
}
