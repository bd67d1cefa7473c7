package dev.tether.jetty;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.TetherConfig;
import dev.tether.client.HopByHop;
import dev.tether.core.ConfigException;
import dev.tether.core.Tether;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
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
 * {@link ProxyHandler} (HttpClient to the backend, non-blocking streaming both ways) with Tether's
 * routing, retries and session headers in its hooks.
 *
 * <p>Per client request: {@link Balancer#route} (503 "no healthy upstream" when nothing can
 * serve); the chosen {@code ip:port} goes into the request attribute {@code tether.upstream};
 * hop-by-hop headers (RFC 9110 section 7.6.1) are dropped both ways and X-Forwarded-For/-Proto/-Host
 * added; the Host header is forwarded as the client sent it. When the backend cannot be reached
 * (no response byte) or answers a status the retry policy covers (by default Istio's: connect
 * failures and 503, at most 2 retries, idempotent methods only, see {@link Balancer#shouldRetry}),
 * a request whose body is still untouched goes to {@link Balancer#retry} before anything reaches
 * the client; a strict session whose backend cannot be reached answers 503. The backend's
 * headers, Set-Cookie included, pass through; the balancer's session and hash cookies or headers
 * are then added.
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

  /** The configuration the handler builds its balancer from; null when given a balancer. */
  private final TetherConfig config;
  private volatile Balancer balancer;
  private volatile boolean balancerClosed;
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
  }

  /**
   * A proxy routing with a new balancer for {@code config}. The handler owns that balancer: it
   * closes it when stopped (ending discovery, health checks and JMX beans) and builds a new one if
   * started again.
   */
  public TetherProxyHandler(TetherConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.balancer = Tether.balancer(config);
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
      balancerClosed = false;
    }
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    try {
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
  }

  @Override
  public boolean handle(Request clientToProxyRequest, Response proxyToClientResponse,
      Callback proxyToClientCallback) {
    Balancer current = balancer;
    RequestView view = new JettyRequestView(clientToProxyRequest);
    Decision decision = current.route(view);
    if (!decision.routed()) {
      writeNoHealthyUpstream(proxyToClientResponse, proxyToClientCallback);
      return true;
    }
    Exchange exchange = new Exchange(current, view, decision);
    clientToProxyRequest.setAttribute(Exchange.ATTRIBUTE, exchange);
    forward(exchange, clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
    return true;
  }

  /** Starts one attempt against the exchange's current endpoint. */
  private void forward(Exchange exchange, Request clientToProxyRequest,
      Response proxyToClientResponse, Callback proxyToClientCallback) {
    Endpoint endpoint = exchange.start();
    clientToProxyRequest.setAttribute(ProxyRules.UPSTREAM_ATTRIBUTE, endpoint.address());
    try {
      super.handle(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
    } catch (RuntimeException | Error e) {
      exchange.finish(0);
      throw e;
    }
  }

  /**
   * Only logged by the superclass (at debug level): {@link #newProxyToServerRequest} builds the
   * backend request from the exchange's endpoint, so the URI is not built otherwise.
   */
  @Override
  protected HttpURI rewriteHttpURI(Request clientToProxyRequest) {
    if (!LOG.isDebugEnabled()) {
      return clientToProxyRequest.getHttpURI();
    }
    Endpoint endpoint = exchange(clientToProxyRequest).endpoint();
    return HttpURI.build(target(endpoint).uri.toString())
        .pathQuery(pathQuery(clientToProxyRequest))
        .asImmutable();
  }

  @Override
  protected org.eclipse.jetty.client.Request newProxyToServerRequest(
      Request clientToProxyRequest, HttpURI newHttpURI) {
    // The target is set as a path (not through a whole java.net.URI, as the superclass does):
    // java.net.URI rejects targets Jetty accepts, and the target must reach the backend byte for
    // byte.
    Endpoint endpoint = exchange(clientToProxyRequest).endpoint();
    return getHttpClient().newRequest(target(endpoint).uri)
        .method(clientToProxyRequest.getMethod())
        .path(pathQuery(clientToProxyRequest));
  }

  @Override
  protected void sendProxyToServerRequest(Request clientToProxyRequest,
      org.eclipse.jetty.client.Request proxyToServerRequest, Response proxyToClientResponse,
      Callback proxyToClientCallback) {
    Target target = target(exchange(clientToProxyRequest).endpoint());
    Destination destination = target.destination;
    if (destination == null) {
      destination = getHttpClient().resolveDestination(proxyToServerRequest);
      target.destination = destination;
    }
    destination.send(proxyToServerRequest, newServerToProxyResponseListener(
        clientToProxyRequest, proxyToServerRequest, proxyToClientResponse, proxyToClientCallback));
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
  protected void copyRequestHeaders(Request clientToProxyRequest,
      org.eclipse.jetty.client.Request proxyToServerRequest) {
    // Drops hop-by-hop fields, those the Connection header lists included; keeps Host.
    super.copyRequestHeaders(clientToProxyRequest, proxyToServerRequest);
    if (getProxyToServerHost() == null
        && !clientToProxyRequest.getHeaders().contains(HttpHeader.HOST)) {
      // HTTP/2 and HTTP/3 clients send :authority, not Host: forward it as Host, as Envoy does.
      String authority = clientToProxyRequest.getHttpURI().getAuthority();
      if (authority != null) {
        proxyToServerRequest.headers(headers -> headers.put(HttpHeader.HOST, authority));
      }
    }
  }

  @Override
  protected void addProxyHeaders(Request clientToProxyRequest,
      org.eclipse.jetty.client.Request proxyToServerRequest) {
    // Instead of Jetty's Via and Forwarded: the X-Forwarded-* trio that Envoy, the Tomcat valve
    // and most backends understand.
    HttpFields clientHeaders = clientToProxyRequest.getHeaders();
    String forwardedFor = ProxyRules.forwardedFor(
        clientHeaders.getValuesList(HttpHeader.X_FORWARDED_FOR),
        Addresses.ip(clientToProxyRequest.getConnectionMetaData().getRemoteSocketAddress()));
    String scheme = clientToProxyRequest.getHttpURI().getScheme();
    String proto = scheme != null ? scheme : clientToProxyRequest.isSecure() ? "https" : "http";
    String host = clientHeaders.get(HttpHeader.HOST);
    if (host == null) {
      host = clientToProxyRequest.getHttpURI().getAuthority();
    }
    String forwardedHost = host;
    proxyToServerRequest.headers(headers -> {
      headers.put(HttpHeader.X_FORWARDED_FOR, forwardedFor);
      headers.put(HttpHeader.X_FORWARDED_PROTO, proto);
      if (forwardedHost != null) {
        headers.put(HttpHeader.X_FORWARDED_HOST, forwardedHost);
      }
    });
  }

  @Override
  protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(
      Request clientToProxyRequest, Response proxyToClientResponse,
      org.eclipse.jetty.client.Request proxyToServerRequest) {
    return new ReplayableRequestContent(clientToProxyRequest, exchange(clientToProxyRequest));
  }

  @Override
  protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(
      Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest,
      Response proxyToClientResponse, Callback proxyToClientCallback) {
    return new TetherResponseListener(clientToProxyRequest, proxyToServerRequest,
        proxyToClientResponse, proxyToClientCallback);
  }

  @Override
  protected void onServerToProxyResponseFailure(Request clientToProxyRequest,
      org.eclipse.jetty.client.Request proxyToServerRequest,
      org.eclipse.jetty.client.Response serverToProxyResponse, Response proxyToClientResponse,
      Callback proxyToClientCallback, Throwable failure) {
    Exchange exchange = exchange(clientToProxyRequest);
    boolean noResponseByte = serverToProxyResponse == null || serverToProxyResponse.getStatus() == 0;
    // A timeout means the backend has the request and is slow: not retried (504), as Istio's
    // default retryOn has no per-try timeout condition.
    boolean retriable = exchange != null && !proxyToClientResponse.isCommitted()
        && (exchange.isRetryPending() || noResponseByte && !(failure instanceof TimeoutException));
    if (retriable) {
      Endpoint failed = exchange.endpoint();
      switch (exchange.afterFailedAttempt()) {
        case RETRY -> {
          LOG.debug("{} failed ({}), retry {} on {}", failed.address(), failure,
              exchange.retries(), exchange.endpoint().address());
          try {
            forward(exchange, clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
            return;
          } catch (RuntimeException | Error e) {
            failure = e;
          }
        }
        case REJECT -> {
          LOG.debug("{} failed ({}), answering 503", failed.address(), failure);
          writeNoHealthyUpstream(proxyToClientResponse, proxyToClientCallback);
          return;
        }
        case GIVE_UP -> LOG.debug("{} failed ({}), not retried", failed.address(), failure);
      }
    }
    super.onServerToProxyResponseFailure(clientToProxyRequest, proxyToServerRequest,
        serverToProxyResponse, proxyToClientResponse, proxyToClientCallback, failure);
  }

  private static void writeNoHealthyUpstream(Response response, Callback callback) {
    response.setStatus(HttpStatus.SERVICE_UNAVAILABLE_503);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    Content.Sink.write(response, true, ProxyRules.NO_HEALTHY_UPSTREAM, callback);
  }

  private static Exchange exchange(Request clientToProxyRequest) {
    return (Exchange) clientToProxyRequest.getAttribute(Exchange.ATTRIBUTE);
  }

  private static String pathQuery(Request clientToProxyRequest) {
    String pathQuery = clientToProxyRequest.getHttpURI().getPathQuery();
    return pathQuery == null || pathQuery.isEmpty() ? "/" : pathQuery;
  }

  /**
   * The client's body as the backend request's content, noting the first read: until then a
   * failed attempt may hand the same body to a retry, so a failure is not passed on to the client
   * request (which would poison its body for the next attempt).
   */
  private static final class ReplayableRequestContent extends ProxyRequestContent {
    private final Exchange exchange;

    ReplayableRequestContent(Request clientToProxyRequest, Exchange exchange) {
      super(clientToProxyRequest);
      this.exchange = exchange;
    }

    @Override
    public Content.Chunk read() {
      Content.Chunk chunk = super.read();
      if (chunk != null) {
        exchange.bodyTouched();
      }
      return chunk;
    }

    @Override
    public void fail(Throwable failure) {
      fail(failure, true);
    }

    @Override
    public void fail(Throwable failure, boolean last) {
      if (exchange.isBodyTouched()) {
        super.fail(failure, last);
      }
    }
  }

  /**
   * Copies the backend's response head (without hop-by-hop fields, including those its Connection
   * header lists, which Jetty's listener keeps), adds the balancer's headers, and ends the
   * attempt's in-flight accounting as soon as the backend exchange completes.
   */
  private final class TetherResponseListener extends ProxyResponseListener {
    private final Request clientToProxyRequest;
    private final Response proxyToClientResponse;

    TetherResponseListener(Request clientToProxyRequest,
        org.eclipse.jetty.client.Request proxyToServerRequest, Response proxyToClientResponse,
        Callback proxyToClientCallback) {
      super(clientToProxyRequest, proxyToServerRequest, proxyToClientResponse,
          proxyToClientCallback);
      this.clientToProxyRequest = clientToProxyRequest;
      this.proxyToClientResponse = proxyToClientResponse;
    }

    @Override
    public void onBegin(org.eclipse.jetty.client.Response serverToProxyResponse) {
      if (exchange(clientToProxyRequest).retriesResponse(serverToProxyResponse.getStatus())) {
        // Nothing of this response reaches the client: the failure hook forwards again.
        serverToProxyResponse.abort(new RetriableResponseException(serverToProxyResponse.getStatus()));
        return;
      }
      super.onBegin(serverToProxyResponse);
    }

    @Override
    public void onHeaders(org.eclipse.jetty.client.Response serverToProxyResponse) {
      if (exchange(clientToProxyRequest).isRetryPending()) {
        return; // abandoned in onBegin
      }
      HttpFields serverHeaders = serverToProxyResponse.getHeaders();
      Set<String> connectionListed = serverHeaders.contains(HttpHeader.CONNECTION)
          ? HopByHop.connectionListed(serverHeaders.getValuesList(HttpHeader.CONNECTION))
          : Set.of();
      HttpFields.Mutable clientHeaders = proxyToClientResponse.getHeaders();
      // Fields Jetty put there already (Date, Server): the backend's first field of such a name
      // replaces them; every other field is added, so repeated headers such as Set-Cookie all
      // pass, untouched.
      int preset = clientHeaders.size();
      boolean[] replaced = new boolean[preset];
      for (HttpField field : serverHeaders) {
        String name = field.getLowerCaseName();
        if (HopByHop.isHopByHop(name, connectionListed)) {
          continue;
        }
        int jettys = presetIndex(clientHeaders, preset, field);
        if (jettys >= 0 && !replaced[jettys]) {
          replaced[jettys] = true;
          clientHeaders.put(field);
        } else {
          clientHeaders.add(field);
        }
      }
      for (ResponseHeader header : exchange(clientToProxyRequest).responseHeaders()) {
        if (header.replace()) {
          clientHeaders.put(header.name(), header.value());
        } else {
          clientHeaders.add(header.name(), header.value());
        }
      }
    }

    /** Which of Jetty's own first {@code preset} fields has the name of {@code field}, or -1. */
    private int presetIndex(HttpFields.Mutable clientHeaders, int preset, HttpField field) {
      for (int k = 0; k < preset; k++) {
        if (clientHeaders.getField(k).isSameName(field)) {
          return k;
        }
      }
      return -1;
    }

    @Override
    public void onComplete(Result result) {
      exchange(clientToProxyRequest).finish(result.getResponse().getStatus());
      super.onComplete(result);
    }
  }
}
