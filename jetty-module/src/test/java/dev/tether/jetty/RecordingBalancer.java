package dev.tether.jetty;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Failure;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.TetherConfig;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A real balancer that also records the in-flight hooks: "start ip:port", "finish ip:port 200",
 * "failed ip:port CONNECT", "tunnelOpened ip:port", "tunnelClosed ip:port". */
final class RecordingBalancer implements Balancer {
  private final Balancer delegate;
  final Queue<String> events = new ConcurrentLinkedQueue<>();

  RecordingBalancer(Balancer delegate) {
    this.delegate = delegate;
  }

  List<String> events(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).toList();
  }

  @Override
  public Decision route(RequestView request) {
    return delegate.route(request);
  }

  @Override
  public Decision retry(RequestView request, Decision previous) {
    return delegate.retry(request, previous);
  }

  @Override
  public List<ResponseHeader> responseHeaders(Decision decision, Endpoint served) {
    return delegate.responseHeaders(decision, served);
  }

  @Override
  public void requestStarted(Endpoint endpoint) {
    events.add("start " + endpoint.address());
    delegate.requestStarted(endpoint);
  }

  @Override
  public void requestFinished(Endpoint endpoint, int status) {
    events.add("finish " + endpoint.address() + " " + status);
    delegate.requestFinished(endpoint, status);
  }

  @Override
  public void requestFailed(Endpoint endpoint, Failure failure) {
    events.add("failed " + endpoint.address() + " " + failure);
    delegate.requestFailed(endpoint, failure);
  }

  @Override
  public void tunnelOpened(Endpoint endpoint) {
    events.add("tunnelOpened " + endpoint.address());
    delegate.tunnelOpened(endpoint);
  }

  @Override
  public void tunnelClosed(Endpoint endpoint) {
    events.add("tunnelClosed " + endpoint.address());
    delegate.tunnelClosed(endpoint);
  }

  @Override
  public void close() {
    events.add("close");
    delegate.close();
  }

  @Override
  public List<Endpoint> endpoints() {
    return delegate.endpoints();
  }

  @Override
  public TetherConfig config() {
    return delegate.config();
  }
}
