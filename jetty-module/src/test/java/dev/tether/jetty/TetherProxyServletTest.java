package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Balancer;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** The scenario suite on the ee10 servlet, mapped at /* as a web.xml would map it. */
final class TetherProxyServletTest extends ProxyScenarios {

  @Override
  Proxy start(Balancer balancer) throws Exception {
    return start(new ServletHolder(new TetherProxyServlet(balancer)));
  }

  private Proxy start(ServletHolder holder) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setIdleTimeout(connectorIdleMillis);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    List<String> upstreams = new CopyOnWriteArrayList<>();
    context.addFilter(new FilterHolder((request, response, chain) -> {
      chain.doFilter(request, response);
      Object upstream = request.getAttribute("tether.upstream");
      if (upstream != null) {
        upstreams.add(upstream.toString());
      }
    }), "/*", EnumSet.of(DispatcherType.REQUEST));
    holder.setAsyncSupported(true);
    holder.setInitOrder(1);
    context.addServlet(holder, "/*");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    return new Proxy() {
      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public List<String> upstreams() {
        return upstreams;
      }

      @Override
      public void close() {
        try {
          server.stop();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  @Test
  void initParametersConfigureTheServlet() throws Exception {
    ServletHolder holder = new ServletHolder(TetherProxyServlet.class);
    holder.setInitParameter("endpoints", keys().get("endpoints"));
    holder.setInitParameter("tether.sessionHeader", SESSION_HEADER);
    holder.setInitParameter("maxThreads", "8");
    try (Proxy proxy = start(holder)) {
      Backend target = backends.get(1);
      HttpResponse<String> response = get(proxy, "/", SESSION_HEADER, target.sessionHeaderValue());
      assertThat(backendOf(response)).isEqualTo(target.address());
    }
  }

  @Test
  void aBadInitParameterMakesTheServletUnavailableWithKeyValueExpected() throws Exception {
    ServletHolder holder = new ServletHolder(TetherProxyServlet.class);
    holder.setInitParameter("endpoints", keys().get("endpoints"));
    holder.setInitParameter("panicThreshold", "150");
    // Jetty starts the context but marks the servlet unavailable: it never proxies.
    try (Proxy proxy = start(holder)) {
      assertThat(holder.isAvailable()).isFalse();
      assertThat(holder.getUnavailableException())
          .hasMessage("panicThreshold: 150 (expected: 0 to 100 (percent))");
      assertThat(get(proxy, "/").statusCode()).isBetween(400, 599);
      assertThat(backends).allSatisfy(b -> assertThat(b.lastRequestHeaders()).isNull());
    }
  }
}
