package dev.tether.exchange;

import dev.tether.api.Balancer;
import dev.tether.api.Exchange;
import dev.tether.api.Proxy;
import dev.tether.api.RequestView;
import dev.tether.api.RetryPolicy;
import dev.tether.api.Timeouts;
import java.util.function.LongSupplier;

/** What every exchange of one balancer shares: the balancer, its policies, the clock. */
final class DefaultProxy implements Proxy {
  final Balancer balancer;
  final RetryPolicy retryPolicy;
  final Timeouts timeouts;
  final boolean strictSessions;
  final long requestTimeoutNanos;
  final long perTryTimeoutNanos;
  final LongSupplier nanoTime;

  DefaultProxy(Balancer balancer, LongSupplier nanoTime) {
    this.balancer = balancer;
    this.retryPolicy = balancer.config().retryPolicy();
    this.timeouts = balancer.config().timeouts();
    this.strictSessions = balancer.config().session().strict();
    this.requestTimeoutNanos = timeouts.request().toNanos();
    this.perTryTimeoutNanos = timeouts.perTry().toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public Exchange open(RequestView clientRequest) {
    return new DefaultExchange(this, clientRequest, balancer.route(clientRequest));
  }

  @Override
  public Balancer balancer() {
    return balancer;
  }

  @Override
  public Timeouts timeouts() {
    return timeouts;
  }
}
