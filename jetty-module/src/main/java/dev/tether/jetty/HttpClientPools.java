package dev.tether.jetty;

import dev.tether.api.ConnectionPool;
import dev.tether.api.Proxy;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;

/**
 * What Istio's {@code connectionPool} asks of the Jetty front ends' HttpClient connections, in one
 * place: {@link Proxy#connectionPool()} is where every pool reads it, and this maps it onto
 * Jetty's {@link HttpClient} (the servlet's; the handler's own pool is {@link BackendPool}). The circuit-breaking limits are
 * the exchange's, not the client's: the client only never needs more connections per backend
 * than {@code tcp.maxConnections}.
 *
 * <ul>
 *   <li>{@code http.idleTimeout}: the client's idle timeout, which closes a pooled connection with
 *       no request on it (a request in progress has its own idle timeout, Tether's
 *       {@code idleTimeout}); {@code 0s} keeps it until the backend closes it, as Jetty reads 0.
 *   <li>{@code http.maxRequestsPerConnection}: each destination pool's
 *       {@link AbstractConnectionPool#setMaxUsage max usage}; a connection that carried that many
 *       requests is closed instead of reused.
 *   <li>{@code tcp.maxConnections}: a cap on the client's connections per destination.
 * </ul>
 */
final class HttpClientPools {
  private HttpClientPools() {}

  /** Applies {@code pool} to {@code client}, before the client starts. */
  static void configure(HttpClient client, ConnectionPool pool) {
    client.setIdleTimeout(pool.idleTimeout().toMillis());
    if (pool.maxConnections() < client.getMaxConnectionsPerDestination()) {
      client.setMaxConnectionsPerDestination((int) pool.maxConnections());
    }
    int maxUsage = (int) Math.min(Integer.MAX_VALUE, pool.maxRequestsPerConnection());
    if (maxUsage > 0) {
      HttpClientTransport transport = client.getTransport();
      org.eclipse.jetty.client.ConnectionPool.Factory jettys =
          transport.getConnectionPoolFactory();
      transport.setConnectionPoolFactory(destination -> {
        org.eclipse.jetty.client.ConnectionPool destinationPool =
            jettys.newConnectionPool(destination);
        if (destinationPool instanceof AbstractConnectionPool counted) {
          counted.setMaxUsage(maxUsage);
        }
        return destinationPool;
      });
    }
  }
}
