package dev.tether.jetty;

import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One client request driven through its {@link Exchange} by a front end built on Jetty's
 * HttpClient ({@link TetherProxyHandler} and {@link TetherProxyServlet}): the attempt in progress,
 * its head timer and what became of its response. The front ends only call these methods from
 * their container's hooks, so the order of the conversation with the exchange is written once.
 *
 * <p>Per attempt: {@link #attempt} before the proxy request is sent; the request's success arms
 * the head timer with {@link Exchange#requestSent()} (never HttpClient's total timeout, which
 * would cut a stream); {@link #responseBegin} at the head; {@link #failed} for whatever ends the
 * attempt otherwise; {@link #completed} once the relayed response has been written.
 *
 * <p>Hooks run on different threads one after the other; the timer and the client's failure
 * listener may run at any time, so the per-attempt state is guarded by this object's lock.
 */
final class ProxyCall implements Request.SuccessListener, Consumer<Throwable> {
  /** The request attribute the call is kept under, for hooks that only get the client request. */
  static final String ATTRIBUTE = ProxyCall.class.getName();

  final Exchange exchange;
  private final Scheduler scheduler;
  private final long idleMillis;
  private Request proxyRequest;
  private Scheduler.Task headTimer;
  private boolean headArrived;
  private boolean relaying;
  private boolean bodyRead;
  /** What the exchange said when this attempt's response was dropped at its head. */
  private Step dropped;

  /**
   * @param idleMillis the idle timeout for each proxy request, 0 for none
   */
  ProxyCall(Exchange exchange, Scheduler scheduler, long idleMillis) {
    this.exchange = exchange;
    this.scheduler = scheduler;
    this.idleMillis = idleMillis;
  }

  /**
   * Prepares {@code proxyRequest}, the next attempt: the exchange's header fields, the idle
   * timeout, and the head timer once it has been sent.
   */
  void attempt(Request proxyRequest) {
    synchronized (this) {
      this.proxyRequest = proxyRequest;
      headArrived = false;
      dropped = null;
    }
    proxyRequest.idleTimeout(idleMillis, TimeUnit.MILLISECONDS);
    proxyRequest.onRequestSuccess(this);
    proxyRequest.headers(fields -> exchange.requestHeaders(new FieldSink(fields)));
  }

  /** The proxy request has been sent: wait at most what the exchange allows for its head. */
  @Override
  public void onSuccess(Request sent) {
    synchronized (this) {
      if (sent != proxyRequest || headArrived) {
        return;
      }
    }
    long wait = exchange.requestSent();
    if (wait <= 0) {
      return;
    }
    Scheduler.Task task = scheduler.schedule(() -> headTimedOut(sent), wait, TimeUnit.NANOSECONDS);
    synchronized (this) {
      if (sent == proxyRequest && !headArrived) {
        headTimer = task;
        return;
      }
    }
    task.cancel();
  }

  private void headTimedOut(Request timed) {
    synchronized (this) {
      if (timed != proxyRequest || headArrived) {
        return;
      }
    }
    timed.abort(Failures.HeadTimeout.INSTANCE);
  }

  /**
   * The attempt's response head arrived with {@code status}. Returns the exchange's answer:
   * {@link Step#RELAY} to relay it; anything else means drop it (abort the response), and
   * {@link #failed} then returns that answer.
   */
  Step responseBegin(int status) {
    cancelHeadTimer(true);
    Step step = exchange.responded(status);
    synchronized (this) {
      if (step == Step.RELAY) {
        relaying = true;
      } else {
        dropped = step;
      }
    }
    return step;
  }

  /** The attempt ended with {@code failure}: what the front end does next. */
  Step failed(Throwable failure) {
    cancelHeadTimer(false);
    boolean headRelayed;
    synchronized (this) {
      Step step = dropped;
      if (step != null) {
        dropped = null;
        return step;
      }
      headRelayed = relaying;
    }
    return exchange.failed(Failures.classify(failure, headRelayed));
  }

  /** Whether the attempt's response head is being relayed to the client. */
  synchronized boolean isRelaying() {
    return relaying;
  }

  /** The relayed response has been written to the client. */
  void completed() {
    exchange.completed();
  }

  /**
   * Call before the client's body is first read: from then on no attempt can be sent again.
   * Returns whether that happened before.
   */
  boolean bodyRead() {
    synchronized (this) {
      if (bodyRead) {
        return true;
      }
      bodyRead = true;
    }
    exchange.bodyRead();
    return false;
  }

  /** Whether the client's body has been read from, so a failure may be passed on to it. */
  synchronized boolean isBodyRead() {
    return bodyRead;
  }

  /** The client's request failed (the client went away): abandon the attempt in progress. */
  @Override
  public void accept(Throwable clientFailure) {
    Request current;
    synchronized (this) {
      current = proxyRequest;
    }
    if (current != null) {
      current.abort(new Failures.ClientGone(clientFailure));
    }
  }

  private void cancelHeadTimer(boolean arrived) {
    Scheduler.Task task;
    synchronized (this) {
      task = headTimer;
      headTimer = null;
      if (arrived) {
        headArrived = true;
      }
    }
    if (task != null) {
      task.cancel();
    }
  }
}
