package dev.tether.exchange;

import dev.tether.api.Balancer;
import dev.tether.api.ConnectionPool;
import dev.tether.api.Exchange;
import dev.tether.api.Proxy;
import dev.tether.api.RequestView;
import dev.tether.api.RetryPolicy;
import dev.tether.api.Timeouts;
import java.util.function.LongSupplier;

/**
 * What every exchange of one balancer shares: the balancer, its policies, the clock, and the
 * circuit breaker, whose limits hold over every exchange this proxy opens (Envoy's cluster: a
 * front end builds one proxy per balancer).
 */
final class DefaultProxy implements Proxy {
  final Balancer balancer;
  final RetryPolicy retryPolicy;
  final Timeouts timeouts;
  final boolean strictSessions;
  final long requestTimeoutNanos;
  final long perTryTimeoutNanos;
  final LongSupplier nanoTime;
  final ConnectionPool connectionPool;
  final CircuitBreaker breaker;
  final PendingTimer timer;

  DefaultProxy(Balancer balancer, LongSupplier nanoTime) {
    this(balancer, nanoTime, SharedTimer.INSTANCE);
  }

  DefaultProxy(Balancer balancer, LongSupplier nanoTime, PendingTimer timer) {
    this.balancer = balancer;
    this.retryPolicy = balancer.config().retryPolicy();
    this.timeouts = balancer.config().timeouts();
    this.strictSessions = balancer.config().session().strict();
    this.requestTimeoutNanos = timeouts.request().toNanos();
    this.perTryTimeoutNanos = timeouts.perTry().toNanos();
    this.nanoTime = nanoTime;
    this.connectionPool = balancer.config().connectionPool();
    this.breaker = new CircuitBreaker(connectionPool);
    this.timer = timer;
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

  @Override
  public ConnectionPool connectionPool() {
    return connectionPool;
  }
}
