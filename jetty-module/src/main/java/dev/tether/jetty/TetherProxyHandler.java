package dev.tether.jetty;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Endpoint;
import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import dev.tether.api.Proxy;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reverse proxy that sends each request to the backend the Tether balancer chooses: Jetty's own
 * {@link ProxyHandler} (HttpClient to the backend, non-blocking streaming both ways, HTTP/2
 * clients included) driven by the core's {@link Exchange}, which owns routing, retries, timeouts,
 * the header rules of both legs and the local replies.
 *
 * <p>Per client request the handler opens an exchange and does what it says: a local reply
 * (status, {@code Content-Type: text/plain}, Envoy's body; never Jetty's error page); a forward
 * to the endpoint it names, with exactly its header fields (Jetty's client frames the body); a
 * forward again when it retries (a response it retries is dropped at its head, before anything
 * reaches the client); the relay of the backend's response with the header fields it writes.
 * Jetty's failures are mapped onto the exchange's failure classes by {@link Failures}.
 * Timeouts come from the balancer's configuration: {@code connectTimeout} is the client's connect
 * timeout; {@code requestTimeout}/{@code perTryTimeout} a head timer armed once the request has
 * been sent and cancelled at the response head (HttpClient's total timeout would cut streams);
 * {@code idleTimeout} the backend request's idle timeout, while the client connection's own idle
 * timeout is ignored for a request that is waiting on the backend. Upgrade requests (WebSocket
 * and any HTTP/1.1 {@code Upgrade}) go to the {@link UpgradeRelay}, which the handler's
 * HttpClient could not carry.
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
  private static final Logger LOG = LoggerFactory.getLogger(TetherProxyHandler.class);

  /** While a request waits on its backend, Tether's own timers decide; the connector's do not. */
  private static final Predicate<TimeoutException> IGNORE_IDLE_TIMEOUT = timeout -> false;

  /** Why a backend response was abandoned at its head: the exchange retries or replies instead. */
  private static final Exception DROPPED = new Exception("response dropped", null, false, false) {
    private static final long serialVersionUID = 1L;
  };

  /** The configuration the handler builds its balancer from; null when given a balancer. */
  private final TetherConfig config;
  private volatile Balancer balancer;
  private volatile Proxy proxy;
  private volatile boolean balancerClosed;
  private volatile UpgradeRelay relay;
  /**
   * Per endpoint, what the request path would otherwise build every time: the backend's URI (Jetty's
   * {@code newRequest(host, port)} formats and parses one per request) and its client destination
   * ({@code request.send} resolves it through a map compute and a new {@code Origin} per request).
   * Cleared when the handler stops (the client's destinations go with it) and when it outgrows
   * any endpoint list, since discovery may replace endpoints.
   */
  private final Map<Endpoint, Target> targets = new ConcurrentHashMap<>();

  private static final class Target {
    final URI uri;
    volatile Destination destination;

    Target(URI uri) {
      this.uri = uri;
    }
  }

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
    UpgradeRelay upgrades = new UpgradeRelay(getHttpClient(), proxy.timeouts());
    upgrades.start();
    relay = upgrades;
  }

  @Override
  protected void doStop() throws Exception {
    try {
      UpgradeRelay upgrades = relay;
      relay = null;
      if (upgrades != null) {
        upgrades.stop();
      }
      super.doStop();
    } finally {
      targets.clear();
      if (config != null) {
        balancer.close();
        balancerClosed = true;
      }
    }
  }

  @Override
  protected void configureHttpClient(HttpClient httpClient) {
    super.configureHttpClient(httpClient);
    // Forward the client's User-Agent untouched; never invent one.
    httpClient.setUserAgentField(null);
    // HttpClient's default of 64 suits a client, not a proxy funnelling many clients into a few
    // backends: use what Jetty's own proxy module uses (jetty.proxy.maxConnections=256).
    httpClient.setMaxConnectionsPerDestination(256);
    httpClient.setConnectTimeout(proxy.timeouts().connect().toMillis());
    BackendPool.configure(httpClient, proxy.connectionPool());
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
    ProxyCall call = new ProxyCall(exchange, getHttpClient().getScheduler(),
        current.timeouts().idle().toMillis());
    clientRequest.addFailureListener(call);
    clientRequest.addIdleTimeoutListener(IGNORE_IDLE_TIMEOUT);
    // The exchange drops Expect (the container answers 100-continue when the body is first
    // read), so the superclass must not wait for a backend's 100 Continue either.
    Request proxied = clientRequest.getHeaders().contains(HttpHeader.EXPECT)
        ? new WithoutExpect(clientRequest) : clientRequest;
    proxied.setAttribute(ProxyCall.ATTRIBUTE, call);
    forward(call, proxied, clientResponse, callback);
  }

  /** Sends one attempt to the exchange's current endpoint. */
  private void forward(ProxyCall call, Request clientRequest, Response clientResponse,
      Callback callback) {
    clientRequest.setAttribute(Exchange.UPSTREAM_ATTRIBUTE, call.exchange.upstream());
    try {
      super.handle(clientRequest, clientResponse, callback);
    } catch (RuntimeException e) {
      LOG.debug("could not send to {}", call.exchange.upstream(), e);
      next(call, call.failed(e), clientRequest, clientResponse, callback, e);
    }
  }

  /** Does what the exchange answered after an attempt that produced no relayed response. */
  private void next(ProxyCall call, Step step, Request clientRequest, Response clientResponse,
      Callback callback, Throwable failure) {
    switch (step) {
      case FORWARD -> forward(call, clientRequest, clientResponse, callback);
      case REPLY -> LocalReplies.write(clientResponse, call.exchange.reply(), callback);
      default -> closeClient(call, clientResponse, callback, failure);
    }
  }

  /** The client is gone, or a relayed response was cut: end the client's response. */
  private static void closeClient(ProxyCall call, Response clientResponse, Callback callback,
      Throwable failure) {
    if (call.isRelaying()) {
      LocalReplies.cut(clientResponse, callback, failure);
    } else {
      callback.failed(failure);
    }
  }

  /**
   * Only logged by the superclass (at debug level): {@link #newProxyToServerRequest} builds the
   * backend request from the exchange's endpoint, so the URI is not built otherwise.
   */
  @Override
  protected HttpURI rewriteHttpURI(Request clientRequest) {
    if (!LOG.isDebugEnabled()) {
      return clientRequest.getHttpURI();
    }
    return HttpURI.build(target(call(clientRequest).exchange.endpoint()).uri.toString())
        .pathQuery(Targets.pathAndQuery(clientRequest))
        .asImmutable();
  }

  @Override
  protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientRequest,
      HttpURI newHttpURI) {
    // The target is set as a path (not through a whole java.net.URI, as the superclass does):
    // java.net.URI rejects targets Jetty accepts, and the target must reach the backend byte for
    // byte.
    ProxyCall call = call(clientRequest);
    org.eclipse.jetty.client.Request proxyRequest =
        getHttpClient().newRequest(target(call.exchange.endpoint()).uri)
            .method(clientRequest.getMethod())
            .path(Targets.pathAndQuery(clientRequest));
    call.attempt(proxyRequest);
    return proxyRequest;
  }

  /** The exchange wrote the fields in {@link ProxyCall#attempt}; only Jetty's Host knob is left. */
  @Override
  protected void copyRequestHeaders(Request clientRequest,
      org.eclipse.jetty.client.Request proxyRequest) {
    String host = getProxyToServerHost();
    if (host != null) {
      proxyRequest.headers(headers -> headers.put(HttpHeader.HOST, host));
    }
  }

  /** None: the exchange wrote X-Forwarded-For/-Proto/-Host, and Tether adds no Via or Forwarded. */
  @Override
  protected void addProxyHeaders(Request clientRequest,
      org.eclipse.jetty.client.Request proxyRequest) {
  }

  @Override
  protected void sendProxyToServerRequest(Request clientRequest,
      org.eclipse.jetty.client.Request proxyRequest, Response clientResponse, Callback callback) {
    Target target = target(call(clientRequest).exchange.endpoint());
    Destination destination = target.destination;
    if (destination == null) {
      destination = getHttpClient().resolveDestination(proxyRequest);
      target.destination = destination;
    }
    destination.send(proxyRequest,
        newServerToProxyResponseListener(clientRequest, proxyRequest, clientResponse, callback));
  }

  private Target target(Endpoint endpoint) {
    Target target = targets.get(endpoint);
    if (target != null) {
      return target;
    }
    if (targets.size() > 4 * Math.max(256, balancer.endpoints().size())) {
      targets.clear();
    }
    try {
      target = new Target(new URI("http", null, endpoint.host(), endpoint.port(), null, null, null));
    } catch (URISyntaxException e) {
      // Endpoint hosts are IP literals or host names the endpoint parser accepted.
      throw new IllegalArgumentException("endpoint " + endpoint.address(), e);
    }
    Target raced = targets.putIfAbsent(endpoint, target);
    return raced != null ? raced : target;
  }

  @Override
  protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(
      Request clientRequest, Response clientResponse,
      org.eclipse.jetty.client.Request proxyRequest) {
    return new ReplayableBody(new ProxyRequestContent(clientRequest), call(clientRequest));
  }

  @Override
  protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(
      Request clientRequest, org.eclipse.jetty.client.Request proxyRequest,
      Response clientResponse, Callback callback) {
    return new ResponseListener(clientRequest, proxyRequest, clientResponse, callback);
  }

  @Override
  protected void onServerToProxyResponseFailure(Request clientRequest,
      org.eclipse.jetty.client.Request proxyRequest,
      org.eclipse.jetty.client.Response serverResponse, Response clientResponse,
      Callback callback, Throwable failure) {
    ProxyCall call = call(clientRequest);
    Step step = call.failed(failure);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} attempt {} ended ({}): {}", call.exchange.upstream(),
          call.exchange.attempts(), failure, step);
    }
    next(call, step, clientRequest, clientResponse, callback, failure);
  }

  @Override
  protected void onProxyToClientResponseComplete(Request clientRequest,
      org.eclipse.jetty.client.Request proxyRequest,
      org.eclipse.jetty.client.Response serverResponse, Response clientResponse,
      Callback callback) {
    call(clientRequest).completed();
    callback.succeeded();
  }

  @Override
  protected void onProxyToClientResponseFailure(Request clientRequest,
      org.eclipse.jetty.client.Request proxyRequest,
      org.eclipse.jetty.client.Response serverResponse, Response clientResponse,
      Callback callback, Throwable failure) {
    call(clientRequest).exchange.failed(Failure.CANCELLED);
    callback.failed(failure);
  }

  private static ProxyCall call(Request clientRequest) {
    return (ProxyCall) clientRequest.getAttribute(ProxyCall.ATTRIBUTE);
  }

  /** The client request without its {@code Expect} field, for the superclass's 100-continue test. */
  private static final class WithoutExpect extends Request.Wrapper {
    private final HttpFields headers;

    WithoutExpect(Request clientRequest) {
      super(clientRequest);
      this.headers = HttpFields.build(clientRequest.getHeaders())
          .remove(HttpHeader.EXPECT).asImmutable();
    }

    @Override
    public HttpFields getHeaders() {
      return headers;
    }
  }

  /**
   * Asks the exchange at the response head whether to relay it, writes the client response's
   * fields from the exchange, and reports a client that stopped taking the body as the client's
   * failure.
   */
  private final class ResponseListener extends ProxyResponseListener {
    private final ProxyCall call;
    private final Response clientResponse;

    ResponseListener(Request clientRequest, org.eclipse.jetty.client.Request proxyRequest,
        Response clientResponse, Callback callback) {
      super(clientRequest, proxyRequest, clientResponse, callback);
      this.call = call(clientRequest);
      this.clientResponse = clientResponse;
    }

    @Override
    public void onBegin(org.eclipse.jetty.client.Response serverResponse) {
      if (call.responseBegin(serverResponse.getStatus()) != Step.RELAY) {
        // Nothing of this response reaches the client: the failure hook does what the
        // exchange said (forward again, or reply).
        serverResponse.abort(DROPPED);
        return;
      }
      super.onBegin(serverResponse);
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response serverResponse) {
      if (call.isRelaying()) {
        call.exchange.responseHeaders(new JettyFields(serverResponse.getHeaders()),
            new ClientResponseFields(clientResponse.getHeaders()));
      }
    }

    @Override
    public void onContent(org.eclipse.jetty.client.Response serverResponse,
        Content.Chunk serverChunk, Runnable demander) {
      serverChunk.retain();
      clientResponse.write(false, serverChunk.getByteBuffer(), Callback.from(
          () -> {
            serverChunk.release();
            demander.run();
          },
          failure -> {
            serverChunk.release();
            serverResponse.abort(new Failures.ClientGone(failure));
          }));
    }
  }
}
