package dev.tether.jetty;

import dev.tether.api.Exchange;
import dev.tether.api.Timeouts;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Carries upgrade requests (WebSocket, or any HTTP/1.1 {@code Upgrade}) for both Jetty front
 * ends, which Jetty's HttpClient cannot: it drops {@code Upgrade} and would take a 101 for a
 * normal response. The relay connects to the exchange's endpoint with its own
 * {@link ClientConnector} (the handler's or servlet's HttpClient executor, scheduler and buffer
 * pool; the exchange's connect timeout), writes the request head, parses the response head, and
 * then either opens a tunnel ({@link TunnelEnd} on both endpoints, the client's taken over the way
 * Jetty's {@code ConnectHandler} takes it) or relays a non-101 answer as a normal response.
 * Everything is non-blocking: an open tunnel holds no thread.
 *
 * <p>The servlet calls it with a blocking callback, as Jetty's own WebSocket servlet upgrades, so
 * its thread waits for the handshake only.
 */
final class UpgradeRelay {
  /** The context key under which the connector finds the call a new connection belongs to. */
  static final String CALL_KEY = UpgradeCall.class.getName();

  final RelayConnector connector;
  final Timeouts timeouts;
  final long idleMillis;

  UpgradeRelay(HttpClient httpClient, Timeouts timeouts) {
    this.timeouts = timeouts;
    this.idleMillis = timeouts.idle().toMillis();
    connector = new RelayConnector();
    connector.setExecutor(httpClient.getExecutor());
    connector.setScheduler(httpClient.getScheduler());
    connector.setByteBufferPool(httpClient.getByteBufferPool());
    connector.setSelectors(1);
    connector.setConnectTimeout(timeouts.connect());
    // Before the head, an idle backend counts as a timeout; after, as the tunnel's idle timeout.
    connector.setIdleTimeout(Duration.ofMillis(idleMillis));
  }

  void start() throws Exception {
    connector.start();
  }

  void stop() throws Exception {
    connector.stop();
  }

  /**
   * Relays {@code clientRequest}, an upgrade whose {@code exchange} answered FORWARD to
   * {@link Exchange#start()}, and completes {@code callback} once the client has its answer (the
   * 101, a relayed response or a local reply).
   */
  void relay(Exchange exchange, Request clientRequest, Response clientResponse, Callback callback) {
    new UpgradeCall(this, exchange, clientRequest, clientResponse, callback).forward();
  }

  Scheduler scheduler() {
    return connector.getScheduler();
  }

  ByteBufferPool pool() {
    return connector.getByteBufferPool();
  }

  /** A client connector whose connections are the calls' backend attempts. */
  static final class RelayConnector extends ClientConnector {
    @Override
    protected Connection newConnection(EndPoint endPoint, Map<String, Object> context)
        throws IOException {
      return ((UpgradeCall) context.get(CALL_KEY)).newAttempt(endPoint);
    }
  }
}
