package dev.tether.api;

/** What the request's stateful-session value amounted to; counted by the metrics. */
public enum SessionStatus {
  /** Stateful sessions are off, or the cookie path does not match this request. */
  NOT_APPLICABLE,
  /** The request carried no session value. */
  ABSENT,
  /** The value could not be read (bad Base64, bad protobuf, empty or expired address...). */
  INVALID,
  /** The value named an address that is not a current endpoint. */
  UNKNOWN_ENDPOINT,
  /** The value named an endpoint whose health does not allow overrides. */
  UNAVAILABLE_ENDPOINT,
  /** The value named an endpoint that serves the request. */
  PINNED
}
