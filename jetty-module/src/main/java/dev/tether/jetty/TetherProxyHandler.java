package dev.tether.jetty;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.ConnectionPool;
import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Proxy;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * A reverse proxy that sends each request to the backend the Tether balancer chooses, driven by
 * the core's {@link Exchange}, which owns routing, retries, timeouts, the header rules of both
 * legs and the local replies. The client side is Jetty's server (HTTP/1.1, HTTP/2 and h2c as the
 * connectors allow); the backend side is Tether's {@link BackendPool}: pooled HTTP/1.1
 * connections on Jetty's {@code ClientConnector}, the request head written by Jetty's
 * {@code HttpGenerator}, only the response head parsed into fields (Jetty's {@code HttpParser}),
 * bodies streamed both ways in pooled buffers, one chunk in flight. Jetty's {@code HttpClient}
 * (which {@link ProxyHandler} would use) is not on this path: its request and response object
 * model, second header parse, queues and hand-offs cost about twice what the relay needs.
 *
 * <p>Per client request the handler opens an exchange and does what it says: a local reply
 * (status, {@code Content-Type: text/plain}, Envoy's body; never Jetty's error page); a forward
 * to the endpoint it names, with exactly its header fields (the generator frames the body); a
 * forward again when it retries (a response it retries is dropped at its head, with its
 * connection, before anything reaches the client); the relay of the backend's response with the
 * header fields it writes. Failures are mapped onto the exchange's failure classes where they
 * happen ({@link BackendConnection}). Timeouts come from the balancer's configuration:
 * {@code connectTimeout} is the connector's; {@code requestTimeout}/{@code perTryTimeout} a head
 * timer armed once the request has been sent and cancelled at the response head;
 * {@code idleTimeout} the backend connection's idle timeout during an attempt, while the client
 * connection's own idle timeout is ignored for a request that is waiting on the backend. Upgrade
 * requests (WebSocket and any HTTP/1.1 {@code Upgrade}) go to the {@link UpgradeRelay}, whose
 * connector runs on the HttpClient's executor and scheduler (the only use left of it).
 *
 * <p>Embedding, for example in front of three backends with header sessions:
 *
 * <pre>{@code
 * Server server = new Server(8080);
 * server.setHandler(TetherProxyHandler.fromProperties(
 *     Map.of("endpoints", "10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080",
 *            "sessionHeader", "x-session-header"),
 *     Path.of(".")));
 * server.start();
 * }</pre>
 *
 * <p>In a Jetty base the {@code tether} module does the same from {@code tether.*} properties
 * ({@code etc/tether.xml}).
 */
public final class TetherProxyHandler extends ProxyHandler {
  /** While a request waits on its backend, Tether's own timers decide; the connector's do not. */
  private static final Predicate<TimeoutException> IGNORE_IDLE_TIMEOUT = timeout -> false;

  /** The configuration the handler builds its balancer from; null when given a balancer. */
  private final TetherConfig config;
  private volatile Balancer balancer;
  private volatile Proxy proxy;
  private volatile boolean balancerClosed;
  private volatile UpgradeRelay relay;
  private volatile BackendPool pool;

  /**
   * A proxy routing with {@code balancer}, for callers that build their own (tests, a shared
   * balancer). The caller owns it: stopping the handler does not close it.
   */
  public TetherProxyHandler(Balancer balancer) {
    this.config = null;
    this.balancer = Objects.requireNonNull(balancer, "balancer");
    this.proxy = Tether.proxy(balancer);
  }

  /**
   * A proxy routing with a new balancer for {@code config}. The handler owns that balancer: it
   * closes it when stopped (ending discovery, health checks and JMX beans) and builds a new one if
   * started again.
   */
  public TetherProxyHandler(TetherConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.balancer = Tether.balancer(config);
    this.proxy = Tether.proxy(balancer);
  }

  /**
   * A proxy configured from Tether keys, for example {@code endpoints} or
   * {@code tether.endpoints}: a {@code tether.} prefix is optional; null or blank values leave
   * the default in place.
   *
   * @param baseDir the directory a relative {@code destinationRule} or {@code file:} endpoints
   *     path is resolved against
   * @throws ConfigException as {@code key: value (expected: ...)} when a value is unusable
   */
  public static TetherProxyHandler fromProperties(Map<String, String> properties, Path baseDir) {
    return new TetherProxyHandler(Settings.parse(properties, baseDir));
  }

  /**
   * {@link #fromProperties(Map, Path)} for {@code etc/tether.xml}, which has the Jetty base only
   * as a string (Jetty XML does not convert arguments to {@link Path}).
   *
   * @throws ConfigException as {@code key: value (expected: ...)} when a value is unusable
   */
  public static TetherProxyHandler fromJettyBase(Map<String, String> properties, String jettyBase) {
    return fromProperties(properties, Path.of(jettyBase == null ? "" : jettyBase));
  }

  /** The balancer this proxy routes with. */
  public Balancer balancer() {
    return balancer;
  }

  @Override
  protected void doStart() throws Exception {
    if (config != null && balancerClosed) {
      balancer = Tether.balancer(config);
      proxy = Tether.proxy(balancer);
      balancerClosed = false;
    }
    super.doStart();
    // The backend leg runs on the server's own threads, scheduler and buffers: one thread pool
    // for both legs, and one buffer pool.
    Server server = getServer();
    // Istio's connectionPool: its limits are the exchange's (Admission); the pool only closes a
    // connection after maxRequestsPerConnection requests and after idleTimeout unused.
    ConnectionPool limits = proxy.connectionPool();
    BackendPool backends = new BackendPool(
        server != null ? server.getThreadPool() : getHttpClient().getExecutor(),
        server != null ? server.getScheduler() : getHttpClient().getScheduler(),
        server != null ? server.getByteBufferPool() : getHttpClient().getByteBufferPool(),
        proxy.timeouts().connect(),
        (int) Math.min(Integer.MAX_VALUE, limits.maxRequestsPerConnection()),
        limits.idleTimeout(), 4 * Math.max(256, balancer.endpoints().size()));
    backends.start();
    pool = backends;
    UpgradeRelay upgrades = new UpgradeRelay(getHttpClient(), proxy.timeouts());
    upgrades.start();
    relay = upgrades;
  }

  /** The backend pool while started, else null (for the module's tests). */
  BackendPool backendPool() {
    return pool;
  }

  @Override
  protected void doStop() throws Exception {
    try {
      UpgradeRelay upgrades = relay;
      relay = null;
      if (upgrades != null) {
        upgrades.stop();
      }
      BackendPool backends = pool;
      pool = null;
      if (backends != null) {
        backends.stop();
      }
      super.doStop();
    } finally {
      if (config != null) {
        balancer.close();
        balancerClosed = true;
      }
    }
  }

  @Override
  public boolean handle(Request clientRequest, Response clientResponse, Callback callback) {
    Proxy current = proxy;
    Admission admission = Admission.start(current.open(new JettyRequestView(clientRequest)));
    Step first = admission.now();
    if (first == null) {
      // Queued by circuit breaking: give the thread back; the step comes on the thread that
      // freed a slot (or the pending timer), which hands it to Jetty's pool. The connector's idle
      // timeout does not cut the wait, which the request timeout bounds.
      clientRequest.addIdleTimeoutListener(IGNORE_IDLE_TIMEOUT);
      Executor executor = clientRequest.getComponents().getThreadPool();
      admission.later(step -> executor.execute(
          () -> proceed(current, admission.exchange(), step, clientRequest, clientResponse,
              callback)));
      return true;
    }
    proceed(current, admission.exchange(), first, clientRequest, clientResponse, callback);
    return true;
  }

  /** Does what the exchange's first step says: a local reply, an upgrade, or a forward. */
  private void proceed(Proxy current, Exchange exchange, Step first, Request clientRequest,
      Response clientResponse, Callback callback) {
    if (first != Step.FORWARD) {
      LocalReplies.write(clientResponse, exchange.reply(), callback);
      return;
    }
    if (exchange.isUpgrade()) {
      relay.relay(exchange, clientRequest, clientResponse, callback);
      return;
    }
    ForwardCall call = new ForwardCall(exchange, pool, clientRequest, clientResponse, callback,
        current.timeouts().idle().toMillis(), getProxyToServerHost());
    clientRequest.addFailureListener(call);
    clientRequest.addIdleTimeoutListener(IGNORE_IDLE_TIMEOUT);
    call.forward();
  }

  /** Not used: {@link #handle} never reaches the superclass's HttpClient path. */
  @Override
  protected HttpURI rewriteHttpURI(Request clientRequest) {
    return clientRequest.getHttpURI();
  }
}
