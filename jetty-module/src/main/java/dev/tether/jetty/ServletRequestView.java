package dev.tether.jetty;

import dev.tether.api.RequestView;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** A servlet request as the balancer sees it; for {@link TetherProxyServlet}. */
final class ServletRequestView implements RequestView {
  private final HttpServletRequest request;

  ServletRequestView(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String pathAndQuery() {
    // getRequestURI() is not decoded; getQueryString() is raw.
    String query = request.getQueryString();
    String path = request.getRequestURI();
    return query == null ? path : path + "?" + query;
  }

  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = request.getHeaders(name);
    return values == null ? List.of() : Collections.list(values);
  }

  @Override
  public String remoteAddress() {
    return Addresses.normalize(request.getRemoteAddr());
  }

  @Override
  public int remotePort() {
    return request.getRemotePort();
  }

  @Override
  public String localAddress() {
    return Addresses.normalize(request.getLocalAddr());
  }

  @Override
  public int localPort() {
    return request.getLocalPort();
  }
}
