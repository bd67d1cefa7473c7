package dev.tether.jetty;

import dev.tether.api.Endpoint;
import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import dev.tether.exchange.Tunnel;
import java.nio.channels.ClosedChannelException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgrade request on the {@link UpgradeRelay}: its attempts (a connect per attempt, each
 * backend connection an {@link UpgradeAttempt}), what the exchange says after each, and at a 101
 * the hand-over of both endpoints to a pair of {@link TunnelEnd}s.
 */
final class UpgradeCall implements Promise<Connection>, Consumer<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(UpgradeCall.class);
  /**
   * The connect context's transport key: {@code Transport.CONTEXT_KEY} on Jetty 12.1, the same
   * string without a constant on 12.0.
   */
  private static final String TRANSPORT_KEY = Transport.class.getName();
  /**
   * {@code ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY}, read when this class loads: its value
   * differs between Jetty 12.0 and 12.1, and on 12.0 it is a compile-time constant that a build
   * against 12.0 would copy in (and then miss on 12.1).
   */
  private static final String PROMISE_KEY = promiseKey();

  final UpgradeRelay relay;
  final Exchange exchange;
  final Request clientRequest;
  final Response clientResponse;
  final Callback callback;
  private volatile UpgradeAttempt current;

  UpgradeCall(UpgradeRelay relay, Exchange exchange, Request clientRequest,
      Response clientResponse, Callback callback) {
    this.relay = relay;
    this.exchange = exchange;
    this.clientRequest = clientRequest;
    this.clientResponse = clientResponse;
    this.callback = callback;
    clientRequest.addFailureListener(this);
  }

  static String promiseKey() {
    try {
      return (String) ClientConnector.class.getField("CONNECTION_PROMISE_CONTEXT_KEY").get(null);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Starts an attempt: connects to the exchange's endpoint. */
  void forward() {
    clientRequest.setAttribute(Exchange.UPSTREAM_ATTRIBUTE, exchange.upstream());
    Endpoint endpoint = exchange.endpoint();
    Map<String, Object> context = new HashMap<>(8);
    context.put(TRANSPORT_KEY, Transport.TCP_IP);
    context.put(UpgradeRelay.CALL_KEY, this);
    context.put(PROMISE_KEY, this);
    Connects.connect(relay.connector, endpoint, context);
  }

  /** The connector connected: the attempt's connection on the backend's endpoint. */
  UpgradeAttempt newAttempt(EndPoint endPoint) {
    UpgradeAttempt attempt = new UpgradeAttempt(this, endPoint);
    current = attempt;
    return attempt;
  }

  @Override
  public void succeeded(Connection connection) {
    // The attempt drives itself from its onOpen.
  }

  /** No connection (refused, unreachable, connect timeout). */
  @Override
  public void failed(Throwable failure) {
    LOG.debug("upgrade: connect to {} failed", exchange.upstream(), failure);
    next(exchange.failed(Failure.CONNECT), failure);
  }

  /** The client's request failed (it went away): abandon the attempt in progress. */
  @Override
  public void accept(Throwable clientFailure) {
    UpgradeAttempt attempt = current;
    if (attempt != null) {
      attempt.fail(Failure.CANCELLED, clientFailure);
    }
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
   * The backend answered 101 and the exchange said TUNNEL: send the 101 with the exchange's
   * fields, and once Jetty has written it, let it hand the client's endpoint to the client's end
   * of the tunnel (which then takes over the backend's endpoint).
   */
  void tunnel(UpgradeAttempt attempt, HttpFields serverFields) {
    clientResponse.setStatus(101);
    exchange.responseHeaders(new JettyFields(serverFields),
        new ClientResponseFields(clientResponse.getHeaders()));
    Tunnel tunnel = Tunnel.of(exchange, TimeUnit.MILLISECONDS.toNanos(relay.idleMillis));
    EndPoint clientEndPoint = clientRequest.getConnectionMetaData().getConnection().getEndPoint();
    EndPoint serverEndPoint = attempt.getEndPoint();
    TunnelEnd clientEnd = new TunnelEnd(clientEndPoint, attempt.executor(), relay.pool(), tunnel,
        true, relay.idleMillis);
    TunnelEnd serverEnd = new TunnelEnd(serverEndPoint, attempt.executor(), relay.pool(), tunnel,
        false, relay.idleMillis);
    TunnelEnd.pair(clientEnd, serverEnd);
    clientRequest.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, clientEnd);
    clientResponse.write(true, null, Callback.from(callback::succeeded, failure -> {
      // The client left before its 101 went out: nothing will take the endpoints over.
      tunnel.end(Failure.CANCELLED);
      clientRequest.removeAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE);
      serverEndPoint.close(failure);
      callback.failed(failure);
    }));
  }
}
