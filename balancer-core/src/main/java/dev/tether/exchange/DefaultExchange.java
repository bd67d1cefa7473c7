package dev.tether.exchange;

import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Exchange;
import dev.tether.api.Failure;
import dev.tether.api.HeaderFields;
import dev.tether.api.HeaderSink;
import dev.tether.api.LocalReply;
import dev.tether.api.Outcome;
import dev.tether.api.Overflow;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.RetryPolicy;
import java.util.function.Consumer;

/**
 * The exchange of one client request: Envoy's router loop (attempt, classify, retry on the
 * balancer's next host-selection attempt, local reply), with the accounting of each attempt
 * reported to the balancer exactly once.
 *
 * <p>Circuit breaking ({@link CircuitBreaker}) admits the request in {@link #start}: it holds a
 * connection slot from then until it ends (over its retries, through a relayed body or a tunnel),
 * and each retry holds a retry slot until that attempt has its outcome. A request that must wait
 * for a slot is {@code PENDING}: {@link #start()} waits on this object's monitor, while
 * {@link #start(Consumer)} returns and the continuation is called later, by the thread that
 * handed it a slot or by the pending timer.
 *
 * <p>Methods are synchronized: calls come one after the other, but from whichever thread the
 * container runs the callback on, and the lock makes the fields visible (uncontended, so cheap).
 * Lock order: an exchange's lock may be held while the breaker's is taken, or while a slot is
 * handed to a waiting exchange (whose lock is then taken); the breaker's is never held while an
 * exchange's is taken, and a waiting exchange never hands a slot on, so no two locks are ever
 * taken in opposite orders.
 */
final class DefaultExchange implements Exchange, CircuitBreaker.Waiter {
  private enum State { NEW, PENDING, WAITING, RELAYING, TUNNELING, DONE }

  private final DefaultProxy proxy;
  private final RequestView clientRequest;
  private final boolean upgrade;
  private Decision decision;
  private State state = State.NEW;
  private int retries;
  private int attempts;
  private boolean bodyRead;
  /** The request timeout's end, set when the first attempt's request has been sent; 0 unset. */
  private long requestDeadline;
  private boolean requestDeadlineSet;
  private int relayedStatus;
  private String upstream;
  private LocalReply reply;
  /** Whether this exchange holds a connection slot, and a retry slot for its current attempt. */
  private boolean holdsSlot;
  private boolean holdsRetry;
  /** While PENDING: the continuation of {@link #start(Consumer)} (null for {@link #start()}). */
  private Consumer<Step> then;
  private PendingTimer.Task pendingTimeout;
  /** The step a blocking {@link #start()} returns once its wait ends. */
  private Step admittedStep;

  DefaultExchange(DefaultProxy proxy, RequestView clientRequest, Decision decision) {
    this.proxy = proxy;
    this.clientRequest = clientRequest;
    this.decision = decision;
    this.upgrade = ForwardingHeaders.isUpgrade(clientRequest);
  }

  @Override
  public synchronized Step start() {
    Step step = begin();
    if (step != null) {
      return step;
    }
    // Queued: this (container) thread waits, at most what is left of the request timeout.
    boolean interrupted = false;
    while (state == State.PENDING) {
      long left = requestDeadlineSet ? requestDeadline - proxy.nanoTime.getAsLong() : 0;
      if (requestDeadlineSet && left <= 0) {
        if (proxy.breaker.withdraw(this)) {
          return reply(LocalReply.REQUEST_TIMEOUT);
        }
        left = 1_000_000; // a slot is being handed over: admitted() is on its way
      }
      try {
        if (requestDeadlineSet) {
          wait(Math.max(1, left / 1_000_000), 0);
        } else {
          wait();
        }
      } catch (InterruptedException e) {
        interrupted = true;
        if (proxy.breaker.withdraw(this)) {
          state = State.DONE;
          admittedStep = Step.CLOSE;
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return admittedStep;
  }

  @Override
  public void start(Consumer<Step> next) {
    Step step;
    synchronized (this) {
      step = begin();
      if (step == null) {
        then = next;
        if (requestDeadlineSet) {
          pendingTimeout = proxy.timer.schedule(this::pendingExpired, proxy.requestTimeoutNanos);
        }
        return;
      }
    }
    next.accept(step);
  }

  /**
   * Routes and admits: {@link Step#FORWARD}, {@link Step#REPLY} (no endpoint, or overflow), or
   * null when the request was queued. The wait in the queue counts against the request timeout,
   * as Envoy's route timeout runs while a request is pending.
   */
  private Step begin() {
    if (state != State.NEW) {
      return Step.CLOSE;
    }
    if (!decision.routed()) {
      // Nothing to route to, or a strict session whose endpoint cannot serve: Envoy's balancer
      // finds no host either way.
      return reply(LocalReply.NO_HEALTHY_UPSTREAM);
    }
    switch (proxy.breaker.admit(this)) {
      case ADMITTED -> {
        holdsSlot = true;
        return beginAttempt();
      }
      case OVERFLOW -> {
        proxy.balancer.overflowed(Overflow.PENDING);
        return reply(LocalReply.OVERFLOW);
      }
      default -> {
        state = State.PENDING;
        if (proxy.requestTimeoutNanos > 0) {
          requestDeadline = proxy.nanoTime.getAsLong() + proxy.requestTimeoutNanos;
          requestDeadlineSet = true;
        }
        return null;
      }
    }
  }

  /** The breaker handed this queued exchange a connection slot. */
  @Override
  public void admitted() {
    Consumer<Step> next;
    Step step;
    synchronized (this) {
      if (state != State.PENDING) {
        // Abandoned while the slot was on its way (the client left, or the thread stopped).
        proxy.breaker.release();
        return;
      }
      if (pendingTimeout != null) {
        pendingTimeout.cancel();
        pendingTimeout = null;
      }
      holdsSlot = true;
      step = beginAttempt();
      next = then;
      then = null;
      if (next == null) {
        admittedStep = step;
        notifyAll();
        return;
      }
    }
    next.accept(step);
  }

  /** On the pending timer: the request waited its whole request timeout for a slot. */
  private void pendingExpired() {
    Consumer<Step> next;
    synchronized (this) {
      if (state != State.PENDING || !proxy.breaker.withdraw(this)) {
        return; // admitted meanwhile
      }
      pendingTimeout = null;
      next = then;
      then = null;
      reply(LocalReply.REQUEST_TIMEOUT);
    }
    if (next != null) {
      next.accept(Step.REPLY);
    }
  }

  @Override
  public synchronized Endpoint endpoint() {
    return decision.endpoint();
  }

  @Override
  public synchronized String upstream() {
    return upstream;
  }

  @Override
  public synchronized LocalReply reply() {
    return reply;
  }

  @Override
  public boolean isUpgrade() {
    return upgrade;
  }

  @Override
  public void requestHeaders(HeaderSink proxyRequest) {
    ForwardingHeaders.request(clientRequest, upgrade, proxyRequest);
  }

  @Override
  public synchronized void bodyRead() {
    bodyRead = true;
  }

  @Override
  public synchronized long requestSent() {
    long now = proxy.nanoTime.getAsLong();
    if (!requestDeadlineSet && proxy.requestTimeoutNanos > 0) {
      requestDeadline = now + proxy.requestTimeoutNanos;
      requestDeadlineSet = true;
    }
    long wait = proxy.perTryTimeoutNanos;
    if (requestDeadlineSet) {
      long left = Math.max(1, requestDeadline - now);
      wait = wait == 0 ? left : Math.min(wait, left);
    }
    return wait;
  }

  @Override
  public synchronized Step failed(Failure failure) {
    Endpoint endpoint = decision.endpoint();
    switch (state) {
      case PENDING -> {
        if (failure != Failure.CANCELLED) {
          return Step.CLOSE; // out of turn: nothing was sent
        }
        // The client left while waiting for a slot. When the slot is already on its way,
        // admitted() sees DONE and gives it back.
        proxy.breaker.withdraw(this);
        if (pendingTimeout != null) {
          pendingTimeout.cancel();
          pendingTimeout = null;
        }
        then = null;
        return close();
      }
      case WAITING -> {
        endRetry();
        proxy.balancer.requestFailed(endpoint, failure);
        if (failure == Failure.CANCELLED) {
          return close();
        }
        if (mayRetry(failure == Failure.CONNECT) && RetryRules.covers(proxy.retryPolicy, failure)) {
          return retry(failure);
        }
        return reply(replyFor(failure));
      }
      case RELAYING, TUNNELING -> {
        if (state == State.TUNNELING) {
          proxy.balancer.tunnelClosed(endpoint);
        }
        if (failure == Failure.CANCELLED) {
          // The client left: the backend did its part.
          proxy.balancer.requestFinished(endpoint, relayedStatus);
        } else {
          proxy.balancer.requestFailed(endpoint, failure);
        }
        return close();
      }
      default -> {
        return Step.CLOSE;
      }
    }
  }

  @Override
  public synchronized Step responded(int status) {
    if (state != State.WAITING) {
      return Step.CLOSE;
    }
    endRetry();
    if (status == 101) {
      if (!upgrade) {
        // A switch nobody asked for: the answer is unusable as HTTP.
        return failed(Failure.PROTOCOL);
      }
      proxy.balancer.tunnelOpened(decision.endpoint());
      relayedStatus = status;
      state = State.TUNNELING;
      return Step.TUNNEL;
    }
    if (mayRetry(false) && RetryRules.covers(proxy.retryPolicy, status) && takeRetrySlot()) {
      Decision next = proxy.balancer.retry(clientRequest, decision);
      if (next.routed()) {
        proxy.balancer.requestFinished(decision.endpoint(), status);
        decision = next;
        retries++;
        return beginAttempt();
      }
      endRetry();
    }
    relayedStatus = status;
    state = State.RELAYING;
    return Step.RELAY;
  }

  @Override
  public synchronized void responseHeaders(HeaderFields serverResponse, HeaderSink clientResponse) {
    ForwardingHeaders.response(serverResponse, state == State.TUNNELING,
        clientRequest.headers("upgrade"), clientResponse);
    for (ResponseHeader header : proxy.balancer.responseHeaders(decision, decision.endpoint())) {
      if (header.replace()) {
        clientResponse.set(header.name(), header.value());
      } else {
        clientResponse.add(header.name(), header.value());
      }
    }
  }

  @Override
  public synchronized void completed() {
    Endpoint endpoint = decision.endpoint();
    if (state == State.TUNNELING) {
      proxy.balancer.tunnelClosed(endpoint);
    } else if (state != State.RELAYING) {
      return;
    }
    proxy.balancer.requestFinished(endpoint, relayedStatus);
    done();
  }

  @Override
  public synchronized int attempts() {
    return attempts;
  }

  // ------------------------------------------------------------------------------------------

  private Step beginAttempt() {
    Endpoint endpoint = decision.endpoint();
    upstream = endpoint.address();
    attempts++;
    proxy.balancer.requestStarted(endpoint);
    state = State.WAITING;
    return Step.FORWARD;
  }

  /**
   * What every retry needs besides the policy's condition: retries left, a body that can be sent
   * again, a session allowed to move, time left, and (unless nothing reached the backend) an
   * idempotent method.
   *
   * @param nothingSent whether the attempt failed before anything reached the backend
   */
  private boolean mayRetry(boolean nothingSent) {
    if (retries >= proxy.retryPolicy.retries() || bodyRead) {
      return false;
    }
    if (proxy.strictSessions && decision.outcome() == Outcome.SESSION) {
      return false; // a strict session never moves: it is answered instead
    }
    if (requestDeadlineSet && proxy.nanoTime.getAsLong() - requestDeadline >= 0) {
      return false; // the request timeout is spent: Envoy answers 504 whatever the policy says
    }
    return nothingSent || RetryPolicy.idempotent(clientRequest.method());
  }

  private Step retry(Failure failure) {
    if (!takeRetrySlot()) {
      return reply(replyFor(failure));
    }
    Decision next = proxy.balancer.retry(clientRequest, decision);
    if (!next.routed()) {
      return reply(LocalReply.NO_HEALTHY_UPSTREAM);
    }
    decision = next;
    retries++;
    return beginAttempt();
  }

  private static LocalReply replyFor(Failure failure) {
    return switch (failure) {
      case CONNECT -> LocalReply.CONNECTION_FAILURE;
      case PROTOCOL -> LocalReply.PROTOCOL_ERROR;
      case TIMEOUT -> LocalReply.REQUEST_TIMEOUT;
      default -> LocalReply.CONNECTION_TERMINATION;
    };
  }

  /**
   * Takes a retry slot for the retry about to be made; when every one is taken the retry is not
   * made (Envoy's retry overflow) and the caller answers as if the policy had not covered it.
   */
  private boolean takeRetrySlot() {
    if (proxy.breaker.tryRetry()) {
      holdsRetry = true;
      return true;
    }
    proxy.balancer.overflowed(Overflow.RETRY);
    return false;
  }

  /** The current attempt has its outcome: its retry slot, if it took one, is given back. */
  private void endRetry() {
    if (holdsRetry) {
      holdsRetry = false;
      proxy.breaker.retryEnded();
    }
  }

  private Step reply(LocalReply localReply) {
    reply = localReply;
    done();
    return Step.REPLY;
  }

  private Step close() {
    done();
    return Step.CLOSE;
  }

  /** The exchange is over: its slots go back (a connection slot to the oldest waiter). */
  private void done() {
    state = State.DONE;
    endRetry();
    if (holdsSlot) {
      holdsSlot = false;
      proxy.breaker.release();
    }
  }
}
