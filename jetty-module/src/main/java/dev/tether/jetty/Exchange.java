package dev.tether.jetty;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Outcome;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.RetryPolicy;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client request's journey through the balancer: the current decision, the attempt in flight,
 * the retries spent and whether the client's body has been touched. Both the handler and the
 * servlet keep one per client request, as a request attribute, because Jetty's proxy hooks are
 * called on different threads with only the request to go by.
 *
 * <p>Whether a failed attempt is retried is the balancer's call ({@link Balancer#shouldRetry}:
 * Istio's retry policy, idempotent methods only, never a strict session); the container adds the
 * one thing the balancer cannot know, that the body can still be sent again.
 *
 * <p>The request flow is sequential (an attempt ends before the next one starts), so the fields
 * are only volatile for visibility across the threads that run those hooks.
 */
final class Exchange {
  /** Request attribute under which the exchange is kept. */
  static final String ATTRIBUTE = Exchange.class.getName();

  /** What to do after an attempt failed. */
  enum Next {
    /** Forward again: {@link #endpoint()} is the next endpoint to try. */
    RETRY,
    /** Answer 503 "no healthy upstream" (strict session, or nothing left to try). */
    REJECT,
    /** Not retried: let the failure (502, 504) or the backend's answer stand. */
    GIVE_UP
  }

  private final Balancer balancer;
  private final RequestView request;
  private final AtomicReference<Endpoint> inFlight = new AtomicReference<>();
  private volatile Decision decision;
  private volatile int retries;
  private volatile boolean bodyTouched;
  private volatile boolean retryPending;

  Exchange(Balancer balancer, RequestView request, Decision decision) {
    this.balancer = balancer;
    this.request = request;
    this.decision = decision;
  }

  /** The endpoint of the current decision. */
  Endpoint endpoint() {
    return decision.endpoint();
  }

  /** Retries spent so far. */
  int retries() {
    return retries;
  }

  /** Marks the start of an attempt against the current endpoint; returns that endpoint. */
  Endpoint start() {
    retryPending = false;
    Endpoint endpoint = decision.endpoint();
    inFlight.set(endpoint);
    balancer.requestStarted(endpoint);
    return endpoint;
  }

  /**
   * Marks the end of the attempt in flight, once, whichever hook sees it first.
   *
   * @param status the backend's status, 0 when no response came
   */
  void finish(int status) {
    Endpoint endpoint = inFlight.getAndSet(null);
    if (endpoint != null) {
      balancer.requestFinished(endpoint, status);
    }
  }

  /** Records that the client's body has been read from, so it can no longer be replayed. */
  void bodyTouched() {
    bodyTouched = true;
  }

  boolean isBodyTouched() {
    return bodyTouched;
  }

  /**
   * Called when the backend's response head arrives, before anything of it is passed on: whether
   * this status is one the retry policy retries (Istio retries 503 by default). If so the attempt
   * is finished with that status and marked for retry; the caller aborts the backend response and
   * {@link #afterFailedAttempt} then returns {@link Next#RETRY} or {@link Next#GIVE_UP}.
   */
  boolean retriesResponse(int status) {
    if (bodyTouched || !balancer.shouldRetry(request, decision, status, retries)) {
      return false;
    }
    finish(status);
    retryPending = true;
    return true;
  }

  /** Whether the attempt was abandoned by {@link #retriesResponse} to be retried. */
  boolean isRetryPending() {
    return retryPending;
  }

  /**
   * Decides what follows an attempt that failed: abandoned for a retriable status, or with no
   * response byte (the backend could not be reached, or dropped the connection before answering).
   * The attempt must be finished first.
   */
  Next afterFailedAttempt() {
    Decision failed = decision;
    int status = 0;
    if (retryPending) {
      retryPending = false;
      return retry(failed);
    }
    if (failed.outcome() == Outcome.SESSION && balancer.config().session().strict()
        && RetryPolicy.idempotent(request.method())) {
      // Strict sessions never move: the pinned backend is gone, so 503 as Envoy answers.
      return Next.REJECT;
    }
    if (bodyTouched || !balancer.shouldRetry(request, failed, status, retries)) {
      return Next.GIVE_UP;
    }
    return retry(failed);
  }

  private Next retry(Decision failed) {
    Decision next = balancer.retry(request, failed);
    if (!next.routed()) {
      return Next.REJECT;
    }
    decision = next;
    retries++;
    return Next.RETRY;
  }

  /** The headers the balancer wants on the client response for the current decision. */
  List<ResponseHeader> responseHeaders() {
    Decision current = decision;
    return balancer.responseHeaders(current, current.endpoint());
  }
}
