package dev.tether.core;

import dev.tether.api.Failure;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one endpoint address, written on the request path (so: adders and atomics, no
 * locks) and read by JMX. They outlive table rebuilds because they are keyed by address, and go
 * when the address leaves the endpoint set. Public for their readers; only the balancer counts.
 */
public final class EndpointStats {
  final LongAdder requests = new LongAdder();
  final LongAdder connectFailures = new LongAdder();
  final LongAdder serverErrors = new LongAdder();
  /** Attempts whose connection closed or broke before or during the response (protocol errors too). */
  final LongAdder resets = new LongAdder();
  /** Attempts with no response head in time. */
  final LongAdder timeouts = new LongAdder();
  /** Upgrades (WebSocket and others) whose tunnel is open now. */
  final AtomicInteger openTunnels = new AtomicInteger();
  final LongAdder pinnedSessionHits = new LongAdder();
  final LongAdder rePins = new LongAdder();
  /** Requests started while the endpoint was DRAINING: what still reaches it. */
  final LongAdder drainingRequests = new LongAdder();

  /** Zero counters: what an address that is not (or no longer) an endpoint shows. */
  public static final EndpointStats NONE = new EndpointStats();

  EndpointStats() {}

  /** Counts an exchange that ended with a response. */
  void finished(int status) {
    if (status >= 500 && status <= 599) {
      serverErrors.increment();
    }
  }

  /** Counts an attempt that ended without a complete exchange. */
  void failed(Failure failure) {
    switch (failure) {
      case CONNECT -> connectFailures.increment();
      case RESET, PROTOCOL, RESET_DURING_BODY -> resets.increment();
      case TIMEOUT, IDLE_TIMEOUT -> timeouts.increment();
      case CANCELLED -> { }
    }
  }

  public long requests() {
    return requests.sum();
  }

  public long connectFailures() {
    return connectFailures.sum();
  }

  /** 5xx answers. */
  public long serverErrors() {
    return serverErrors.sum();
  }

  public long resets() {
    return resets.sum();
  }

  public long timeouts() {
    return timeouts.sum();
  }

  /** Connect failures, 5xx answers, resets and timeouts. */
  public long failures() {
    return connectFailures.sum() + serverErrors.sum() + resets.sum() + timeouts.sum();
  }

  public int openTunnels() {
    return openTunnels.get();
  }

  public long pinnedSessionHits() {
    return pinnedSessionHits.sum();
  }

  public long rePins() {
    return rePins.sum();
  }

  /** Requests started while the endpoint was DRAINING. */
  public long drainingRequests() {
    return drainingRequests.sum();
  }
}
