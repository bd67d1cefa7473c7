package dev.tether.jetty;

import dev.tether.contract.FrontEnd;
import dev.tether.contract.ProxyContract;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The scenario contract on the core handler, embedded as the demo embeds it. */
final class TetherProxyHandlerContractTest extends ProxyContract {
  @Override
  protected FrontEnd start(Map<String, String> tetherKeys) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(TetherProxyHandler.fromProperties(tetherKeys, Path.of("")));
    server.start();
    return FrontEnd.of(connector.getLocalPort(), server::stop);
  }
}
