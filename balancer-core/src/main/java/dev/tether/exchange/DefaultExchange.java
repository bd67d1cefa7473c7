package dev.tether.exchange;

import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Exchange;
import dev.tether.api.Failure;
import dev.tether.api.HeaderFields;
import dev.tether.api.HeaderSink;
import dev.tether.api.LocalReply;
import dev.tether.api.Outcome;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.RetryPolicy;

/**
 * The exchange of one client request: Envoy's router loop (attempt, classify, retry on the
 * balancer's next host-selection attempt, local reply), with the accounting of each attempt
 * reported to the balancer exactly once.
 *
 * <p>Methods are synchronized: calls come one after the other, but from whichever thread the
 * container runs the callback on, and the lock makes the fields visible (uncontended, so cheap).
 */
final class DefaultExchange implements Exchange {
  private enum State { NEW, WAITING, RELAYING, TUNNELING, DONE }

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

  DefaultExchange(DefaultProxy proxy, RequestView clientRequest, Decision decision) {
    this.proxy = proxy;
    this.clientRequest = clientRequest;
    this.decision = decision;
    this.upgrade = ForwardingHeaders.isUpgrade(clientRequest);
  }

  @Override
  public synchronized Step start() {
    if (state != State.NEW) {
      return Step.CLOSE;
    }
    if (!decision.routed()) {
      // Nothing to route to, or a strict session whose endpoint cannot serve: Envoy's balancer
      // finds no host either way.
      return reply(LocalReply.NO_HEALTHY_UPSTREAM);
    }
    return beginAttempt();
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
      case WAITING -> {
        proxy.balancer.requestFailed(endpoint, failure);
        if (failure == Failure.CANCELLED) {
          return close();
        }
        if (mayRetry(failure == Failure.CONNECT) && RetryRules.covers(proxy.retryPolicy, failure)) {
          return retry();
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
    if (mayRetry(false) && RetryRules.covers(proxy.retryPolicy, status)) {
      Decision next = proxy.balancer.retry(clientRequest, decision);
      if (next.routed()) {
        proxy.balancer.requestFinished(decision.endpoint(), status);
        decision = next;
        retries++;
        return beginAttempt();
      }
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
    state = State.DONE;
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

  private Step retry() {
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

  private Step reply(LocalReply localReply) {
    reply = localReply;
    state = State.DONE;
    return Step.REPLY;
  }

  private Step close() {
    state = State.DONE;
    return Step.CLOSE;
  }
}
