package dev.tether.tomcat;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.ConnectionPool;
import dev.tether.api.Endpoint;
import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import dev.tether.api.LocalReply;
import dev.tether.api.Proxy;
import dev.tether.api.TetherConfig;
import dev.tether.api.Timeouts;
import dev.tether.client.UpgradedConnection;
import dev.tether.client.UpstreamClient;
import dev.tether.client.UpstreamException;
import dev.tether.client.UpstreamOptions;
import dev.tether.client.UpstreamRequest;
import dev.tether.client.UpstreamResponse;
import dev.tether.exchange.Tunnel;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.coyote.ActionCode;
import org.apache.coyote.UpgradeToken;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.res.StringManager;

/**
 * Carries one client request through the core's proxy exchange ({@link Exchange}): the exchange
 * routes it, says what to send, how long to wait, whether to retry and what to answer; this class
 * moves the bytes and header fields between Tomcat and a backend, and maps what happened onto the
 * exchange's {@link Failure} classes. Retry rules, header rules, timeouts and local replies are
 * the core's, the same on every front end.
 *
 * <p>A request runs on the Tomcat thread that owns it, through the core's blocking
 * {@link UpstreamClient}: the request is written and the answer read through buffers that belong
 * to a pooled backend connection, and each piece of the response body goes straight from that
 * buffer to the client response (flushed when the backend has sent no more yet, so a stream
 * reaches the client as it is produced). No thread is started per request.
 *
 * <p>An upgrade (WebSocket or any HTTP/1.1 {@code Upgrade}) is forwarded the same way; when the
 * backend answers {@code 101}, its connection is taken over and the client connection upgraded
 * with a {@link TunnelHandler}, after which neither holds a thread: the backend side is served
 * by the valve's {@link TunnelSelector}, the client side by Tomcat's poller. A backend that
 * answers otherwise is relayed as any response.
 *
 * <p>The legs are named as in Jetty's proxy: {@code clientRequest} (client -> proxy),
 * {@code proxyRequest} (proxy -> server), {@code serverResponse} (server -> proxy),
 * {@code clientResponse} (proxy -> client).
 */
final class Forwarder {
  /**
   * The protocol name in a tunnel's upgrade token, which Tomcat keys its upgrade statistics by.
   * Fixed, not the client's {@code Upgrade} value, which would let clients create statistics
   * groups at will.
   */
  static final String TUNNEL_PROTOCOL = "tether-tunnel";

  private static final Log log = LogFactory.getLog(Forwarder.class);
  private static final StringManager strings = StringManager.getManager(Forwarder.class);

  private final Balancer balancer;
  private final Proxy proxy;
  private final UpstreamClient client;
  private final TunnelSelector tunnels;
  private final long idleNanos;

  private Forwarder(Balancer balancer, Proxy proxy, UpstreamClient client,
      TunnelSelector tunnels, long idleNanos) {
    this.balancer = balancer;
    this.proxy = proxy;
    this.client = client;
    this.tunnels = tunnels;
    this.idleNanos = idleNanos;
  }

  /**
   * A forwarder with its own connection pool and tunnel selector (started with the first
   * tunnel). The core's timeouts become the client's: {@code connectTimeout} its connect timeout,
   * {@code idleTimeout} its response body timeout and the tunnels' idle timeout;
   * {@code http.idleTimeout} and {@code http.maxRequestsPerConnection} its pool's, which keeps no
   * more idle connections per backend than {@code tcp.maxConnections}; the request and
   * per-try timeouts are the exchange's answer to {@link Exchange#requestSent()}, asked once each
   * attempt's request has been written.
   */
  static Forwarder create(Balancer balancer) {
    Proxy proxy = Tether.proxy(balancer);
    Timeouts timeouts = proxy.timeouts();
    ConnectionPool pool = proxy.connectionPool();
    UpstreamClient client = new UpstreamClient(UpstreamOptions.DEFAULTS
        .withTimeouts(timeouts.connect(), timeouts.idle())
        .withPool(pool.idleTimeout(),
            (int) Math.min(UpstreamOptions.DEFAULTS.maxIdlePerBackend(), pool.maxConnections()),
            pool.maxRequestsPerConnection()));
    String name = balancer.config().name();
    TunnelSelector tunnels = new TunnelSelector(
        TetherConfig.DEFAULT_NAME.equals(name) ? "tether-tunnels" : "tether-" + name + "-tunnels",
        timeouts.idle().toNanos());
    return new Forwarder(balancer, proxy, client, tunnels, timeouts.idle().toNanos());
  }

  Balancer balancer() {
    return balancer;
  }

  /** Open tunnels, for tests and diagnostics. */
  int openTunnels() {
    return tunnels.tunnels();
  }

  /**
   * Closes the open tunnels and the pooled backend connections, then stops the balancer's
   * background work (discovery, health checks, ejection sweeps, JMX). Requests still running
   * finish on their connections, which are then closed rather than pooled.
   */
  void close() {
    try {
      tunnels.close();
    } finally {
      try {
        client.close();
      } finally {
        balancer.close();
      }
    }
  }

  /**
   * Handles one client request: when it returns, the client response is complete, or the client
   * connection is being upgraded to a tunnel (Tomcat writes the 101 and then starts it), or it is
   * being closed.
   */
  void forward(Request clientRequest, Response clientResponse) throws IOException {
    TomcatRequestView view = new TomcatRequestView(clientRequest);
    String target = RequestTargets.forBackend(view.pathAndQuery());
    if (target == null) {
      // Not origin-form (OPTIONS *, say): nothing a backend could be sent, nothing routed.
      LocalReplies.write(clientResponse, LocalReply.BAD_REQUEST_TARGET);
      return;
    }
    Exchange exchange = proxy.open(view);
    // Built before the first attempt is counted: reading an HTTP/2 body's first byte may fail.
    UpstreamRequest proxyRequest = proxyRequest(clientRequest, exchange, target);
    // Asked by the client once each attempt's request is written: the wait for its head.
    LongSupplier headWait = exchange::requestSent;
    // Waits here while circuit breaking queues the request (tcp.maxConnections reached): this
    // thread is the request's for the whole exchange anyway, as the blocking client holds it.
    Step step = exchange.start();
    UpstreamResponse serverResponse = null;
    while (step == Step.FORWARD) {
      clientRequest.setAttribute(Exchange.UPSTREAM_ATTRIBUTE, exchange.upstream());
      Endpoint endpoint = exchange.endpoint();
      try {
        serverResponse = client.send(endpoint.host(), endpoint.port(), proxyRequest, headWait);
      } catch (UpstreamException failure) {
        step = attemptFailed(exchange, proxyRequest, failure);
        continue;
      } catch (IllegalArgumentException badTarget) {
        // The client refuses a target with a control character or space; RequestTargets encodes
        // those, so this is a last line of defence. Not the backend's doing.
        exchange.failed(Failure.CANCELLED);
        LocalReplies.write(clientResponse, LocalReply.BAD_REQUEST_TARGET);
        return;
      }
      if (proxyRequest.bodyTouched()) {
        exchange.bodyRead();
      }
      step = exchange.responded(serverResponse.status());
      if (step != Step.RELAY && step != Step.TUNNEL) {
        // Retried, or not relayable: dropped unread, which closes its connection.
        serverResponse.close();
        serverResponse = null;
      }
    }
    switch (step) {
      case REPLY -> LocalReplies.write(clientResponse, exchange.reply());
      case RELAY -> relay(exchange, serverResponse, clientResponse);
      case TUNNEL -> tunnel(exchange, serverResponse, clientRequest, clientResponse);
      default -> LocalReplies.closeNow(clientResponse, null);
    }
  }

  /**
   * One proxy request for every attempt: nothing in it depends on the backend (a missing
   * {@code Host} is the client's to add per connection), and it knows whether its body was read.
   */
  private static UpstreamRequest proxyRequest(
      Request clientRequest, Exchange exchange, String target) throws IOException {
    UpstreamRequest proxyRequest = new UpstreamRequest(clientRequest.getMethod(), target);
    exchange.requestHeaders(proxyRequest);
    if (exchange.isUpgrade()) {
      return proxyRequest.upgrade(); // an upgrade has no body (the exchange checked)
    }
    ClientBody clientBody = ClientBody.of(clientRequest);
    // Content-Length or chunked framing is the upstream client's to write from this length.
    return proxyRequest.body(clientBody.stream(), clientBody.length());
  }

  private static Step attemptFailed(
      Exchange exchange, UpstreamRequest proxyRequest, UpstreamException failure) {
    if (proxyRequest.bodyTouched()) {
      exchange.bodyRead();
    }
    Failure kind = failureOf(failure.kind());
    Step next = exchange.failed(kind);
    if (log.isDebugEnabled()) {
      log.debug(strings.getString("forwarder.attemptFailed", exchange.attempts(),
          exchange.upstream(), kind, failure.toString(), next));
    }
    return next;
  }

  /** The exchange's name for a failure of the client's. */
  static Failure failureOf(UpstreamException.Kind kind) {
    return switch (kind) {
      case CONNECT -> Failure.CONNECT;
      case TIMEOUT -> Failure.TIMEOUT;
      case RESET -> Failure.RESET;
      case PROTOCOL -> Failure.PROTOCOL;
      case REQUEST_BODY -> Failure.CANCELLED; // the client's body broke: the client's doing
      case RESPONSE_BODY -> Failure.RESET_DURING_BODY;
      case RESPONSE_BODY_TIMEOUT -> Failure.IDLE_TIMEOUT;
    };
  }

  // ------------------------------------------------------------------------------ relay

  private void relay(Exchange exchange, UpstreamResponse serverResponse, Response clientResponse) {
    try (serverResponse) {
      clientResponse.setStatus(serverResponse.status());
      exchange.responseHeaders(serverResponse, new ClientResponseHeaders(clientResponse));
      long length = contentLength(serverResponse);
      if (length >= 0) {
        clientResponse.setContentLengthLong(length);
      }
      copyBody(exchange, serverResponse, clientResponse);
    }
  }

  /**
   * The length to declare to the client: the body's when the backend sent one of known length
   * (a chunked one stays chunked, Tomcat's choice); for an answer that has no body (HEAD, 204,
   * 304) the length the backend stated, which describes the body a GET would get.
   */
  private static long contentLength(UpstreamResponse serverResponse) {
    if (serverResponse.hasBody()) {
      return serverResponse.contentLength();
    }
    List<String> declared = serverResponse.values("content-length");
    if (declared.isEmpty()) {
      return -1;
    }
    try {
      return Long.parseLong(declared.get(0).trim());
    } catch (NumberFormatException invalid) {
      return -1; // The upstream client already refuses a response with a length it cannot read.
    }
  }

  /**
   * Streams the server body to the client as the backend sends it: each piece goes from the
   * connection's buffer straight to the client response, and a piece that is not the last is
   * everything the backend had sent so far, so it is flushed: a slow or unbounded stream
   * (server-sent events) reaches the client as it is produced.
   */
  private static void copyBody(
      Exchange exchange, UpstreamResponse serverResponse, Response clientResponse) {
    try {
      OutputStream clientOut = clientResponse.getOutputStream();
      serverResponse.transferTo((bytes, offset, length, last) -> {
        if (length > 0) {
          clientOut.write(bytes, offset, length);
        }
        if (!last) {
          clientOut.flush();
        }
      });
    } catch (UpstreamException serverFailure) {
      Failure failure = failureOf(serverFailure.kind());
      if (log.isDebugEnabled()) {
        log.debug(strings.getString("forwarder.bodyFailed", exchange.upstream(), failure,
            serverFailure.toString()));
      }
      exchange.failed(failure);
      cut(clientResponse, serverFailure);
      return;
    } catch (IOException clientGone) {
      // The client closed its connection: closing the server response, its body unread, closes
      // the backend connection.
      exchange.failed(Failure.CANCELLED);
      LocalReplies.closeNow(clientResponse, clientGone);
      return;
    }
    exchange.completed();
  }

  /**
   * The backend failed mid-response: the client gets the head (as Envoy, which sends it on as
   * soon as it arrives) and then a closed connection, so a truncated body is never mistaken for a
   * complete one (a normal end would write the last chunk).
   */
  private static void cut(Response clientResponse, IOException failure) {
    if (!clientResponse.isCommitted()) {
      try {
        clientResponse.flushBuffer();
      } catch (IOException clientGone) {
        // Closed below either way.
      }
    }
    LocalReplies.closeNow(clientResponse, failure);
  }

  // ------------------------------------------------------------------------------ tunnel

  /**
   * Writes the backend's 101 with the exchange's fields and upgrades the client connection: the
   * upgrade token is built here rather than by {@link Request#upgrade}, which needs the request's
   * Context for its {@code InstanceManager} when a proxied request may have none (the valve in
   * the {@code <Engine>}, no ROOT application). The handler is the valve's own, so it needs no
   * instance manager (Tomcat then calls its {@code init} and {@code destroy} directly) and binds
   * no application class loader ({@link DetachedContextBind}). Tomcat writes the 101 when the
   * valve returns, then calls {@link TunnelHandler#init}.
   */
  private void tunnel(Exchange exchange, UpstreamResponse serverResponse, Request clientRequest,
      Response clientResponse) {
    UpgradedConnection upgraded;
    try {
      upgraded = serverResponse.takeOver();
      upgraded.channel().configureBlocking(false);
    } catch (IOException e) {
      serverResponse.close();
      exchange.failed(Failure.RESET_DURING_BODY);
      LocalReplies.closeNow(clientResponse, e);
      return;
    }
    TunnelHandler handler = new TunnelHandler(Tunnel.of(exchange, idleNanos), upgraded.channel(),
        upgraded.leftover(), exchange.upstream(), tunnels);
    try {
      clientResponse.setStatus(101);
      exchange.responseHeaders(serverResponse, new ClientResponseHeaders(clientResponse));
      clientRequest.getCoyoteRequest().action(ActionCode.UPGRADE,
          new UpgradeToken(handler, DetachedContextBind.INSTANCE, null, TUNNEL_PROTOCOL));
    } catch (RuntimeException notUpgradable) {
      // A connector that cannot upgrade (AJP): the tunnel ends before it began.
      log.warn(strings.getString("forwarder.upgradeFailed", notUpgradable.toString()));
      handler.destroy();
      LocalReplies.closeNow(clientResponse, notUpgradable);
    }
  }
}
