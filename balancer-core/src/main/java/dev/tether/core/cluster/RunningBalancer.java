package dev.tether.core.cluster;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Failure;
import dev.tether.api.Overflow;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.TetherConfig;
import dev.tether.core.CoreBalancer;
import java.util.List;

/**
 * The balancer a container gets: the request path's {@link CoreBalancer}, plus the two things the
 * control plane adds to it. Every attempt's result also goes to outlier detection, and
 * {@link #close()} stops the runtime (discovery, checks, sweeps, JMX). The core balancer knows
 * nothing of this: results reach the runtime through this wrapper, never through a reference the
 * core balancer holds.
 */
final class RunningBalancer implements Balancer {
  private final CoreBalancer core;
  private final ClusterRuntime runtime;
  private final OutlierDetector outlier;

  RunningBalancer(CoreBalancer core, ClusterRuntime runtime) {
    this.core = core;
    this.runtime = runtime;
    this.outlier = runtime.outlier();
  }

  /** The request path's balancer. */
  CoreBalancer core() {
    return core;
  }

  ClusterRuntime runtime() {
    return runtime;
  }

  @Override
  public Decision route(RequestView request) {
    return core.route(request);
  }

  @Override
  public Decision retry(RequestView request, Decision previous) {
    return core.retry(request, previous);
  }

  @Override
  public List<ResponseHeader> responseHeaders(Decision decision, Endpoint served) {
    return core.responseHeaders(decision, served);
  }

  @Override
  public void requestStarted(Endpoint endpoint) {
    core.requestStarted(endpoint);
  }

  @Override
  public void requestFinished(Endpoint endpoint, int status) {
    core.requestFinished(endpoint, status);
    outlier.result(endpoint.address(), status);
  }

  /**
   * Locally originated failures count for outlier detection as Envoy counts them when it does not
   * split them from the backend's own answers: a timeout as 504, every other failure as 503 (so as
   * gateway errors and as 5xx); a client that left counts against nobody.
   */
  @Override
  public void requestFailed(Endpoint endpoint, Failure failure) {
    core.requestFailed(endpoint, failure);
    if (failure != Failure.CANCELLED) {
      boolean timedOut = failure == Failure.TIMEOUT || failure == Failure.IDLE_TIMEOUT;
      outlier.result(endpoint.address(), timedOut ? 504 : 503);
    }
  }

  @Override
  public void overflowed(Overflow overflow) {
    core.overflowed(overflow);
  }

  @Override
  public void tunnelOpened(Endpoint endpoint) {
    core.tunnelOpened(endpoint);
  }

  @Override
  public void tunnelClosed(Endpoint endpoint) {
    core.tunnelClosed(endpoint);
  }

  @Override
  public List<Endpoint> endpoints() {
    return core.endpoints();
  }

  @Override
  public TetherConfig config() {
    return core.config();
  }

  @Override
  public void close() {
    runtime.close();
  }
}
