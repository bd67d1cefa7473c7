package dev.tether.jetty;

import dev.tether.contract.FrontEnd;
import dev.tether.contract.ProxyContract;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The scenario contract on the ee10 servlet, configured by {@code tether.}-prefixed
 * init-parameters as a web.xml would, and mapped at /*.
 */
final class TetherProxyServletContractTest extends ProxyContract {
  @Override
  protected FrontEnd start(Map<String, String> tetherKeys) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletHolder proxy = new ServletHolder(TetherProxyServlet.class);
    // Prefixed: unprefixed, idleTimeout (and others) are also Jetty ProxyServlet's own parameters.
    tetherKeys.forEach((key, value) -> proxy.setInitParameter("tether." + key, value));
    proxy.setAsyncSupported(true);
    proxy.setInitOrder(1);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(proxy, "/*");
    server.setHandler(context);
    server.start();
    return FrontEnd.of(connector.getLocalPort(), server::stop);
  }
}
