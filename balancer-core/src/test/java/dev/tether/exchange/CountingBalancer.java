package dev.tether.exchange;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Failure;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.TetherConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A real balancer that also writes down every accounting call the exchange makes, so a test can
 * check that each attempt is started once and ended once.
 */
final class CountingBalancer implements Balancer {
  final Balancer delegate;
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  private int inFlight;
  private int tunnels;

  CountingBalancer(String... keysAndValues) {
    Map<String, String> keys = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keys.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    this.delegate = Tether.balancer(Tether.parseConfig(keys));
  }

  synchronized int inFlight() {
    return inFlight;
  }

  synchronized int tunnels() {
    return tunnels;
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
  public void overflowed(dev.tether.api.Overflow overflow) {
    calls.add("overflowed " + overflow);
    delegate.overflowed(overflow);
  }

  @Override
  public synchronized void requestStarted(Endpoint endpoint) {
    inFlight++;
    calls.add("started " + endpoint.address());
    delegate.requestStarted(endpoint);
  }

  @Override
  public synchronized void requestFinished(Endpoint endpoint, int status) {
    inFlight--;
    calls.add("finished " + endpoint.address() + " " + status);
    delegate.requestFinished(endpoint, status);
  }

  @Override
  public synchronized void requestFailed(Endpoint endpoint, Failure failure) {
    inFlight--;
    calls.add("failed " + endpoint.address() + " " + failure);
    delegate.requestFailed(endpoint, failure);
  }

  @Override
  public synchronized void tunnelOpened(Endpoint endpoint) {
    tunnels++;
    calls.add("tunnel opened " + endpoint.address());
    delegate.tunnelOpened(endpoint);
  }

  @Override
  public synchronized void tunnelClosed(Endpoint endpoint) {
    tunnels--;
    calls.add("tunnel closed " + endpoint.address());
    delegate.tunnelClosed(endpoint);
  }

  @Override
  public List<Endpoint> endpoints() {
    return delegate.endpoints();
  }

  @Override
  public TetherConfig config() {
    return delegate.config();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
