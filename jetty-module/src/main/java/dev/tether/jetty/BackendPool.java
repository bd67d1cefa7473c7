package dev.tether.jetty;

import dev.tether.api.Endpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The handler's HTTP/1.1 connections to its backends, per endpoint, on Jetty's own
 * {@link ClientConnector}: a request takes the most recently used idle connection of its endpoint
 * (warm, and the one least likely to have been closed by the backend meanwhile) or connects a new
 * one; a connection whose response ended cleanly comes back here. No other bound is kept: how many
 * connections an endpoint may have is the balancer's business (circuit breaking), not the pool's.
 *
 * <p>The two knobs of Istio's {@code connectionPool} that concern a connection live here and
 * nowhere else: {@link #mayReuse} ({@code http.maxRequestsPerConnection}, requests one connection
 * may carry) and {@link #idleTimeoutMillis()} ({@code http.idleTimeout}, how long an idle
 * connection is kept; 0 until the backend closes it). Its limits ({@code tcp.maxConnections},
 * {@code http.http1MaxPendingRequests}) are the exchange's admission, before a request gets here.
 */
final class BackendPool {
  /** {@link #mayReuse} without a limit on the requests per connection. */
  static final int UNLIMITED = 0;
  private static final String TRANSPORT_KEY = Transport.class.getName();
  private static final String PROMISE_KEY = UpgradeCall.promiseKey();
  private static final String CALL_KEY = ForwardCall.class.getName();
  private static final String ENDPOINT_KEY = Endpoint.class.getName();

  private final PoolConnector connector = new PoolConnector();
  private final int maxRequestsPerConnection;
  private final long idleTimeoutMillis;
  /**
   * Idle connections by endpoint address: not by {@link Endpoint} itself, whose record equality
   * includes its health (a connection does not care) and whose hash is computed on every call.
   */
  private final Map<String, Deque<BackendConnection>> idle = new ConcurrentHashMap<>();
  private final int maxEndpoints;
  private final HeadTimeouts headTimeouts;

  /**
   * @param maxRequestsPerConnection requests one connection may carry, {@link #UNLIMITED} for no
   *     limit
   * @param idleTimeout how long an idle connection is kept, zero until the backend closes it
   * @param maxEndpoints endpoints whose idle connections are tracked before the idle lists are
   *     dropped (discovery may replace endpoints; their connections must not pile up)
   */
  BackendPool(Executor executor, Scheduler scheduler, ByteBufferPool buffers, Duration connectTimeout,
      int maxRequestsPerConnection, Duration idleTimeout, int maxEndpoints) {
    this.maxRequestsPerConnection = maxRequestsPerConnection;
    this.idleTimeoutMillis = idleTimeout.toMillis();
    this.maxEndpoints = maxEndpoints;
    connector.setExecutor(executor);
    connector.setScheduler(scheduler);
    connector.setByteBufferPool(buffers);
    connector.setConnectTimeout(connectTimeout);
    connector.setIdleTimeout(idleTimeout);
    headTimeouts = new HeadTimeouts(scheduler);
  }

  void start() throws Exception {
    connector.start();
  }

  void stop() throws Exception {
    headTimeouts.destroy();
    idle.clear();
    connector.stop();
  }

  ByteBufferPool buffers() {
    return connector.getByteBufferPool();
  }

  Executor executor() {
    return connector.getExecutor();
  }

  HeadTimeouts headTimeouts() {
    return headTimeouts;
  }

  /** Whether a connection that carried {@code served} requests may carry one more. */
  boolean mayReuse(int served) {
    return maxRequestsPerConnection == UNLIMITED || served < maxRequestsPerConnection;
  }

  /** Idle connections over all endpoints: what the next requests can reuse (for tests). */
  int idleConnections() {
    return idle.values().stream().mapToInt(Deque::size).sum();
  }

  /** How long a connection may stay idle in the pool, in milliseconds. */
  long idleTimeoutMillis() {
    return idleTimeoutMillis;
  }

  /**
   * Sends {@code call}'s current attempt to {@code endpoint}: on an idle connection unless
   * {@code fresh}, else on a new one ({@link ForwardCall#connectFailed} if none can be opened).
   */
  void send(Endpoint endpoint, ForwardCall call, boolean fresh) {
    if (!fresh) {
      Deque<BackendConnection> connections = idle.get(endpoint.address());
      if (connections != null) {
        BackendConnection connection;
        while ((connection = connections.pollFirst()) != null) {
          if (connection.claim(call)) {
            connection.start(call);
            return;
          }
        }
      }
    }
    Map<String, Object> context = new HashMap<>(8);
    context.put(TRANSPORT_KEY, Transport.TCP_IP);
    context.put(CALL_KEY, call);
    context.put(ENDPOINT_KEY, endpoint);
    context.put(PROMISE_KEY, new Promise<Connection>() {
      @Override
      public void succeeded(Connection connection) {
        // The connection starts the attempt from its onOpen.
      }

      @Override
      public void failed(Throwable failure) {
        call.connectFailed(failure);
      }
    });
    Connects.connect(connector, endpoint, context);
  }

  /** {@code connection} ended a response cleanly and may carry another: keep it for its endpoint. */
  void release(BackendConnection connection) {
    Deque<BackendConnection> connections = idle.get(connection.address);
    if (connections == null) {
      if (idle.size() >= maxEndpoints) {
        // Endpoints come and go with discovery: forget the idle lists rather than grow without
        // bound (their connections still close on their idle timeout).
        idle.clear();
      }
      connections = idle.computeIfAbsent(connection.address, e -> new ConcurrentLinkedDeque<>());
    }
    connections.offerFirst(connection);
  }

  /** {@code connection} closed while idle: forget it. */
  void remove(BackendConnection connection) {
    Deque<BackendConnection> connections = idle.get(connection.address);
    if (connections != null) {
      connections.remove(connection);
    }
  }

  /** The connector whose new connections are the pool's, each carrying the call that opened it. */
  private final class PoolConnector extends ClientConnector {
    @Override
    protected Connection newConnection(EndPoint endPoint, Map<String, Object> context)
        throws IOException {
      return new BackendConnection(BackendPool.this, (Endpoint) context.get(ENDPOINT_KEY),
          endPoint, (ForwardCall) context.get(CALL_KEY));
    }
  }
}
