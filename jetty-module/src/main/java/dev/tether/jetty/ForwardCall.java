package dev.tether.jetty;

import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import dev.tether.api.RetryPolicy;
import java.nio.channels.ClosedChannelException;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plain (not upgraded) client request on the handler's {@link BackendPool}: its attempts, each
 * carried by a {@link BackendConnection}, and what the exchange says after each.
 *
 * <p>The one retry the exchange does not decide: a pooled connection the backend had closed while
 * it was idle (a stale keep-alive) shows as a reset before any byte of the response. That attempt
 * is sent once more on a new connection, without telling the exchange, when the request is
 * idempotent ({@link RetryPolicy#idempotent}) and none of its body has been read; every other failure,
 * a second stale connection included, goes to the exchange, whose retry policy decides.
 */
final class ForwardCall implements Consumer<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardCall.class);

  final Exchange exchange;
  final Request clientRequest;
  final Response clientResponse;
  final Callback callback;
  /** The backend request's idle timeout, 0 for none. */
  final long idleMillis;
  /** Jetty's {@code proxyToServerHost} knob: the Host sent to every backend, or null. */
  final String host;
  private final BackendPool pool;
  private final boolean idempotent;
  private volatile BackendConnection current;
  private boolean bodyRead;
  private boolean staleRetried;

  ForwardCall(Exchange exchange, BackendPool pool, Request clientRequest, Response clientResponse,
      Callback callback, long idleMillis, String host) {
    this.exchange = exchange;
    this.pool = pool;
    this.clientRequest = clientRequest;
    this.clientResponse = clientResponse;
    this.callback = callback;
    this.idleMillis = idleMillis;
    this.host = host;
    this.idempotent = RetryPolicy.idempotent(clientRequest.getMethod());
  }

  /** Sends an attempt to the exchange's endpoint. */
  void forward() {
    clientRequest.setAttribute(Exchange.UPSTREAM_ATTRIBUTE, exchange.upstream());
    pool.send(exchange.endpoint(), this, false);
  }

  /** {@code connection} carries the attempt in progress from now on. */
  void attach(BackendConnection connection) {
    current = connection;
  }

  /** No connection could be opened (refused, unreachable, connect timeout). */
  void connectFailed(Throwable failure) {
    LOG.debug("connect to {} failed", exchange.upstream(), failure);
    next(exchange.failed(Failure.CONNECT), failure);
  }

  /**
   * The attempt on a connection ended with {@code failure} before its response ended.
   *
   * @param relaying whether the response head had been relayed (then the client's response is
   *     cut)
   * @param stale whether a reused connection broke before any byte of the response
   */
  void attemptFailed(Failure failure, Throwable cause, boolean relaying, boolean stale) {
    if (stale && retriesStale()) {
      LOG.debug("{}: stale pooled connection, sending again on a new one", exchange.upstream());
      pool.send(exchange.endpoint(), this, true);
      return;
    }
    Step step = exchange.failed(failure);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} attempt {} ended ({}): {}", exchange.upstream(), exchange.attempts(), cause,
          step);
    }
    if (relaying) {
      LocalReplies.cut(clientResponse, callback, cause);
    } else {
      next(step, cause);
    }
  }

  private synchronized boolean retriesStale() {
    if (staleRetried || bodyRead || !idempotent) {
      return false;
    }
    staleRetried = true;
    return true;
  }

  /** Does what the exchange answered after an attempt that relayed nothing. */
  void next(Step step, Throwable failure) {
    switch (step) {
      case FORWARD -> forward();
      case REPLY -> LocalReplies.write(clientResponse, exchange.reply(), callback);
      default -> callback.failed(failure != null ? failure : new ClosedChannelException());
    }
  }

  /**
   * Call before the client's body is first read: from then on no attempt can be sent again.
   */
  void bodyRead() {
    synchronized (this) {
      if (bodyRead) {
        return;
      }
      bodyRead = true;
    }
    exchange.bodyRead();
  }

  /** The client's request failed (the client went away): abandon the attempt in progress. */
  @Override
  public void accept(Throwable clientFailure) {
    BackendConnection connection = current;
    if (connection != null) {
      connection.fail(this, Failure.CANCELLED, new Failures.ClientGone(clientFailure));
    }
  }
}
