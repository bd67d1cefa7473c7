package dev.tether.core.jmx;

/**
 * One balancer in JMX, as {@code dev.tether:type=Balancer,name=<name>}: what a request could not
 * be routed for, and the operator's drain switch. Per-endpoint numbers are on
 * {@link TetherEndpointMXBean}. Public only because JMX requires a public interface; the
 * implementation stays in the core.
 */
public interface TetherBalancerMXBean {

  /** The balancer's unique name (the configured {@code name}, with a suffix if it was taken). */
  String getName();

  /** The endpoint source: the static list, {@code dns:NAME:PORT} or {@code file:PATH}. */
  String getEndpointSource();

  int getEndpointCount();

  /**
   * The current endpoints' addresses in the balancer's order (configuration order for a static
   * list, address order for DNS and file sources), which the endpoint beans' names cannot carry:
   * {@code tether status} lists them so.
   */
  String[] getEndpointAddresses();

  /** Endpoints the ring or table holds: healthy by source, checks and outlier detection. */
  int getHealthyEndpointCount();

  int getEjectedEndpointCount();

  int getDrainingEndpointCount();

  /** Requests whose session value named a current endpoint that served them. */
  long getPinnedSessionHits();

  /** Responses that moved a session to another endpoint than the one it named. */
  long getRePins();

  /** Strict sessions answered 503 because the named endpoint could not serve. */
  long getStrictRejections();

  /** Session values that could not be read (bad Base64 or protobuf, expired, empty). */
  long getInvalidSessionValues();

  /** Requests (or retries) that found no endpoint: answered 503 "no healthy upstream". */
  long getNoHealthyUpstream();

  long getRetries();

  /**
   * Requests circuit breaking refused: every connection slot ({@code tcp.maxConnections}) taken
   * and the pending queue ({@code http.http1MaxPendingRequests}) full, answered 503 {@code ...
   * reset reason: overflow} at once. Envoy's {@code upstream_rq_pending_overflow}.
   */
  long getPendingOverflows();

  /**
   * Retries not made because {@code http.maxRetries} retries were in progress; the attempt's own
   * outcome was answered. Envoy's {@code upstream_rq_retry_overflow}.
   */
  long getRetryOverflows();

  /** WebSocket (and other upgrade) tunnels open now, over every endpoint. */
  int getOpenTunnels();

  /** Why the last DNS resolution or endpoints-file read failed; empty when it worked. */
  String getLastDiscoveryError();

  /** {@code off}, {@code sealed} or {@code migrate}: the {@code sessionSeal} setting. */
  String getSessionSeal();

  /** The id of the key that seals new session values; empty when sealing is off. */
  String getActiveSessionKey();

  /** The ids of the key ring, active first, comma-separated; empty when sealing is off. */
  String getSessionKeyIds();

  /**
   * Session values sealed since start. One key may seal at most 2^32 values (NIST SP 800-38D
   * with random nonces), counted over every front end that shares the ring: rotate well before.
   */
  long getSealedSessionValues();

  /**
   * Plain Envoy session values honoured in migrate mode, each answered with the session sealed.
   * When this stops growing, sessions from before the move have been re-issued and
   * {@code sessionSeal=sealed} loses none.
   */
  long getPlainSessionValuesHonoured();

  /**
   * Session values that named the serving endpoint and were written again: plain (migrate), sealed
   * with a key that is no longer active, or past half their sealed lifetime.
   */
  long getRenewedSessionValues();

  /**
   * Why the key ring file ({@code sessionSealKeys}) was last unusable, while the last good ring is
   * kept; empty when its last read worked.
   */
  String getLastKeyRingError();

  /**
   * Marks the endpoint at {@code address} ({@code ip:port}) DRAINING: it keeps the sessions pinned
   * to it (Istio's override health includes DRAINING) and takes no new ones.
   *
   * @return false when no current endpoint has that address
   */
  boolean drain(String address);

  /** Ends an operator's drain of {@code address}; false when no current endpoint has it. */
  boolean undrain(String address);

  /**
   * Where a request would go now: the answer of a balancer with this one's configuration over its
   * current endpoints and their health, so that {@code tether pick --pid} can ask a running front
   * end without sending a request. That balancer is built for the question and thrown away, so
   * asking changes no counter here (no pinned session, no invalid value, no sealed value counted);
   * with bounded loads ({@code hashBalanceFactor}) it sees no request in flight.
   *
   * @param method the request method, {@code GET} when empty
   * @param pathAndQuery the request target as received, {@code /p?q=1}; {@code /} when empty
   * @param headers header fields as {@code Name: value}, cookies as {@code Cookie: a=b}
   * @param remoteAddress the client's IP; {@code remotePort} its port
   * @param localAddress the IP the client connected to; {@code localPort} its port
   * @return the chosen {@code ip:port}, then each header Tether would add to the response as
   *     {@code Name: value}; empty when no endpoint can serve
   * @throws IllegalArgumentException naming the argument that is not a header field line
   */
  String[] pick(String method, String pathAndQuery, String[] headers, String remoteAddress,
      int remotePort, String localAddress, int localPort);
}
