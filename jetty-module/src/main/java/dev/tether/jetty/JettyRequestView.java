package dev.tether.jetty;

import dev.tether.api.RequestView;
import java.util.List;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;

/**
 * A Jetty core request as the balancer sees it. Nothing is copied up front: the balancer reads
 * only what its policies need.
 */
final class JettyRequestView implements RequestView {
  private final Request request;

  JettyRequestView(Request request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String pathAndQuery() {
    // HttpURI keeps the path as received (still percent-encoded) and the raw query.
    String pathQuery = request.getHttpURI().getPathQuery();
    return pathQuery == null || pathQuery.isEmpty() ? "/" : pathQuery;
  }

  @Override
  public List<String> headers(String name) {
    return request.getHeaders().getValuesList(name);
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
