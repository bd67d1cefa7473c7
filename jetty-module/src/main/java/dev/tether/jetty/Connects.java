package dev.tether.jetty;

import dev.tether.api.Endpoint;
import dev.tether.core.internal.IpLiterals;
import java.net.InetSocketAddress;
import java.util.Map;
import org.eclipse.jetty.io.ClientConnector;

/**
 * Opens a backend connection without blocking the caller, which may be a selector thread (the
 * handler is non-blocking): an endpoint given as an IP literal connects at once; one given by host
 * name is looked up by {@link InetSocketAddress}, which may wait on DNS, so that connect runs on
 * the connector's executor.
 */
final class Connects {
  private Connects() {}

  static void connect(ClientConnector connector, Endpoint endpoint, Map<String, Object> context) {
    if (IpLiterals.isLiteral(endpoint.host())) {
      connector.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), context);
    } else {
      connector.getExecutor().execute(() ->
          connector.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), context));
    }
  }
}
