package dev.tether.demo;

import dev.tether.jetty.TetherProxyHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Embedded Jetty 12 whose only handler is the Jetty module's {@link TetherProxyHandler}. */
final class JettyFrontEnd implements FrontEnd {

  private final Server server;
  private final ServerConnector connector;

  private JettyFrontEnd(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /**
   * Starts Jetty on {@code host:port} with the given Tether keys.
   *
   * @param portOption the option that sets this port, named when the port is taken
   * @throws PortInUseException when the port is taken
   */
  static FrontEnd start(String host, int port, Map<String, String> keys, String portOption)
      throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("jetty-front");
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(TetherProxyHandler.fromProperties(keys, Path.of("")));
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      if (PortInUseException.isBindFailure(e)) {
        throw new PortInUseException(host, port, "Jetty front end", portOption, e);
      }
      if (e instanceof IOException io) {
        throw io;
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(e.getMessage(), e);
    }
    return new JettyFrontEnd(server, connector);
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping is best effort; the process may be on its way out.
    }
  }
}
