package dev.tether.tomcat;

import dev.tether.api.HeaderFields;
import dev.tether.api.RequestView;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import org.apache.catalina.connector.Request;
import org.apache.tomcat.util.buf.MessageBytes;

/**
 * The balancer's view of a Tomcat request. The request target is the raw one the client sent
 * ({@link Request#getRequestURI()} is not decoded), because Envoy hashes query parameters and
 * matches cookie paths on the raw target too.
 */
final class TomcatRequestView implements RequestView {
  private final Request clientRequest;
  private String pathAndQuery;

  TomcatRequestView(Request clientRequest) {
    this.clientRequest = clientRequest;
  }

  @Override
  public String method() {
    return clientRequest.getMethod();
  }

  @Override
  public String pathAndQuery() {
    String target = pathAndQuery;
    if (target == null) {
      String query = clientRequest.getQueryString();
      String path = clientRequest.getRequestURI();
      target = query == null ? path : path + '?' + query;
      pathAndQuery = target;
    }
    return target;
  }

  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = clientRequest.getHeaders(name);
    if (values == null || !values.hasMoreElements()) {
      return List.of();
    }
    List<String> all = new ArrayList<>(2);
    while (values.hasMoreElements()) {
      all.add(values.nextElement());
    }
    return all;
  }

  @Override
  public HeaderFields fields() {
    return new TomcatHeaderFields(clientRequest.getCoyoteRequest().getMimeHeaders());
  }

  /**
   * The {@code Host} header; for an HTTP/2 request without one, the {@code :authority} Tomcat
   * parsed into the server name and port.
   */
  @Override
  public String authority() {
    String host = clientRequest.getHeader("host");
    if (host != null || !"HTTP/2.0".equals(clientRequest.getProtocol())) {
      return host;
    }
    MessageBytes name = clientRequest.getCoyoteRequest().serverName();
    if (name.isNull()) {
      return null;
    }
    int port = clientRequest.getCoyoteRequest().getServerPort();
    return port < 0 ? name.toString() : name.toString() + ':' + port;
  }

  @Override
  public String scheme() {
    return clientRequest.getScheme();
  }

  @Override
  public String protocol() {
    return clientRequest.getProtocol();
  }

  @Override
  public String remoteAddress() {
    return clientRequest.getRemoteAddr();
  }

  @Override
  public int remotePort() {
    return clientRequest.getRemotePort();
  }

  @Override
  public String localAddress() {
    return clientRequest.getLocalAddr();
  }

  @Override
  public int localPort() {
    return clientRequest.getLocalPort();
  }
}
