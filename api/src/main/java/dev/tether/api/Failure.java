package dev.tether.api;

/**
 * Why one attempt at a backend ended without a complete exchange: Envoy's upstream reset reasons
 * as its router classifies them. The exchange decides from the class alone what follows (a retry,
 * a local reply, closing the client connection), so every front end maps its own transport's
 * errors onto these and nothing more.
 */
public enum Failure {
  /** No connection could be made (refused, unreachable, connect timeout): nothing was sent. */
  CONNECT,
  /** The connection closed or was reset before a complete response head arrived. */
  RESET,
  /** The backend's answer was not an HTTP/1.x response head. */
  PROTOCOL,
  /** No response head within the per-try timeout or the request timeout. */
  TIMEOUT,
  /** The backend failed after its response head was relayed: the body or tunnel was cut. */
  RESET_DURING_BODY,
  /** No byte either way for the idle timeout on an open response or tunnel. */
  IDLE_TIMEOUT,
  /** The client went away; not the backend's doing, so it never counts against it. */
  CANCELLED
}
