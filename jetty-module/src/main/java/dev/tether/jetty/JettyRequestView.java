package dev.tether.jetty;

import dev.tether.api.HeaderFields;
import dev.tether.api.RequestView;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;

/**
 * A Jetty core request as the balancer and the exchange see it, for both front ends (the servlet
 * passes the core request under its servlet request, so both read the same fields in arrival
 * order). Nothing is copied up front: the core reads only what its policies and header rules
 * need.
 */
final class JettyRequestView implements RequestView {
  private final Request request;
  private JettyFields fields;

  JettyRequestView(Request request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String pathAndQuery() {
    return Targets.pathAndQuery(request);
  }

  @Override
  public List<String> headers(String name) {
    return request.getHeaders().getValuesList(name);
  }

  @Override
  public HeaderFields fields() {
    JettyFields view = fields;
    if (view == null) {
      view = new JettyFields(request.getHeaders());
      fields = view;
    }
    return view;
  }

  @Override
  public String authority() {
    HttpFields headers = request.getHeaders();
    String host = headers.get(HttpHeader.HOST);
    // HTTP/2 and HTTP/3 carry :authority, which Jetty keeps in the URI rather than as a field.
    return host != null ? host : request.getHttpURI().getAuthority();
  }

  @Override
  public String scheme() {
    String scheme = request.getHttpURI().getScheme();
    return scheme != null ? scheme : request.isSecure() ? "https" : "http";
  }

  @Override
  public String protocol() {
    return metaData().getProtocol();
  }

  @Override
  public String remoteAddress() {
    return Addresses.ip(metaData().getRemoteSocketAddress());
  }

  @Override
  public int remotePort() {
    return Addresses.port(metaData().getRemoteSocketAddress());
  }

  @Override
  public String localAddress() {
    return Addresses.ip(metaData().getLocalSocketAddress());
  }

  @Override
  public int localPort() {
    return Addresses.port(metaData().getLocalSocketAddress());
  }

  private ConnectionMetaData metaData() {
    return request.getConnectionMetaData();
  }
}
