package dev.tether.api;

/**
 * The proxy logic of one balancer, shared by every front end: it opens one {@link Exchange} per
 * client request. Thread-safe; exchanges are not shared between requests.
 */
public interface Proxy {
  /** Routes {@code clientRequest} and returns its exchange; call {@link Exchange#start} next. */
  Exchange open(RequestView clientRequest);

  /** The balancer the exchanges route with. */
  Balancer balancer();

  /** The timeouts every exchange applies; the front end arms what its transport needs. */
  Timeouts timeouts();

  /**
   * The backend connection pool settings ({@code http.maxRequestsPerConnection},
   * {@code http.idleTimeout}, {@code tcp.maxConnections}) a front end's own pool applies; the
   * exchange applies the circuit-breaking limits itself.
   */
  ConnectionPool connectionPool();
}
