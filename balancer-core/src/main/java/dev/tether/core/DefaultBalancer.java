package dev.tether.core;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.TetherConfig;
import java.time.Clock;
import java.util.List;
import java.util.function.LongSupplier;

final class DefaultBalancer implements Balancer {
  DefaultBalancer(TetherConfig config, Clock clock, LongSupplier random) {
    throw new UnsupportedOperationException("in progress");
  }

  @Override public Decision route(RequestView request) { return null; }
  @Override public Decision retry(RequestView request, Decision previous) { return null; }
  @Override public List<ResponseHeader> responseHeaders(Decision decision, Endpoint served) { return List.of(); }
  @Override public void requestStarted(Endpoint endpoint) {}
  @Override public void requestFinished(Endpoint endpoint, int status) {}
  @Override public List<Endpoint> endpoints() { return List.of(); }
  @Override public TetherConfig config() { return null; }
}
