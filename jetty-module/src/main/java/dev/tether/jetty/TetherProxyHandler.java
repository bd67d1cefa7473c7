package dev.tether.jetty;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.TetherConfig;
import dev.tether.client.UpstreamClient;
import dev.tether.client.UpstreamException;
import dev.tether.client.UpstreamOptions;
import dev.tether.client.UpstreamRequest;
import dev.tether.client.UpstreamResponse;
import dev.tether.core.ConfigException;
import dev.tether.core.Tether;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.StringUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reverse proxy that sends each request to the backend the Tether balancer chooses, through
 * Tether's own blocking HTTP/1.1 client ({@link UpstreamClient}).
 *
 * <p>Why blocking, on a plain {@link Handler.Abstract} rather than Jetty's {@code ProxyHandler}:
 * profiles of the proxy on Jetty's {@code HttpClient} put most of its CPU in the client machinery
 * (serialized invokers, connection and buffer pools, a second HTTP parser, header caches), and it
 * measured slightly slower than Jetty's stock {@code ProxyServlet}. Here {@link #handle} runs on a
 * pool thread (the default {@link InvocationType#BLOCKING} of {@link Handler.Abstract}, kept on
 * purpose) and that thread does the whole exchange: it writes the backend request and reads the
 * answer through buffers that belong to a kept-alive backend connection, and writes each piece of
 * the answer to the client with a blocking write, so the connection's buffer is free again when the
 * write returns. That costs one pool thread per request in flight, and saves every per-request
 * buffer, listener and hand-off between threads; a small response reaches Jetty as one last piece,
 * so its head and body go out in one write.
 *
 * <p>Per client request: {@link Balancer#route} (503 "no healthy upstream" when nothing can
 * serve); the chosen {@code ip:port} goes into the request attribute {@code tether.upstream};
 * hop-by-hop headers (RFC 9110 section 7.6.1, those the Connection header lists included) are
 * dropped both ways and X-Forwarded-For/-Proto/-Host set; the Host header is forwarded as the
 * client sent it (HTTP/2's {@code :authority} becomes Host) and User-Agent untouched. When the
 * backend cannot be connected to, or answers a status the retry policy covers (by default Istio's:
 * connect failures and 503, at most 2 retries, idempotent methods only, see
 * {@link Balancer#shouldRetry}), a request whose body is still untouched goes to
 * {@link Balancer#retry} before anything reaches the client; a strict session whose backend cannot
 * be reached answers 503. A backend that does not send its response head in time answers 504, one
 * that drops the connection or answers something that is not HTTP/1.1 answers 502, neither
 * retried (the backend may have the request). A response body that fails once the client response
 * is committed aborts the client connection, so the client sees a truncated response rather than a
 * complete-looking one. The backend's headers, Set-Cookie included, pass through; the balancer's
 * session and hash cookies or headers are then added.
 *
 * <p>Timeouts are {@link UpstreamOptions#DEFAULTS}: 5 s to connect, 60 s for the response head, no
 * limit on a streaming body, kept-alive backend connections closed after 15 s unused.
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
public final class TetherProxyHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(TetherProxyHandler.class);

  /** Methods whose requests carry no body unless they say so (RFC 9110 section 9.3). */
  private static final Set<String> BODYLESS_METHODS =
      Set.of("GET", "HEAD", "OPTIONS", "DELETE", "TRACE", "CONNECT");

  /** The configuration the handler builds its balancer from; null when given a balancer. */
  private final TetherConfig config;
  private final UpstreamOptions upstreamOptions;
  private volatile Balancer balancer;
  private volatile boolean balancerClosed;
  private volatile UpstreamClient client;

  /**
   * A proxy routing with {@code balancer}, for callers that build their own (tests, a shared
   * balancer). The caller owns it: stopping the handler does not close it.
   */
  public TetherProxyHandler(Balancer balancer) {
    this(balancer, UpstreamOptions.DEFAULTS);
  }

  /** As {@link #TetherProxyHandler(Balancer)}, with other backend timeouts (tests). */
  TetherProxyHandler(Balancer balancer, UpstreamOptions upstreamOptions) {
    this.config = null;
    this.balancer = Objects.requireNonNull(balancer, "balancer");
    this.upstreamOptions = Objects.requireNonNull(upstreamOptions, "upstreamOptions");
  }

  /**
   * A proxy routing with a new balancer for {@code config}. The handler owns that balancer: it
   * closes it when stopped (ending discovery, health checks and JMX beans) and builds a new one if
   * started again.
   */
  public TetherProxyHandler(TetherConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.balancer = Tether.balancer(config);
    this.upstreamOptions = UpstreamOptions.DEFAULTS;
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

  /** The client to the backends while started; null before the first start. */
  UpstreamClient upstreamClient() {
    return client;
  }

  @Override
  protected void doStart() throws Exception {
    if (config != null && balancerClosed) {
      balancer = Tether.balancer(config);
      balancerClosed = false;
    }
    client = new UpstreamClient(upstreamOptions);
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    try {
      super.doStop();
    } finally {
      try {
        UpstreamClient stopped = client;
        if (stopped != null) {
          stopped.close();
        }
      } finally {
        if (config != null) {
          balancer.close();
          balancerClosed = true;
        }
      }
    }
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
    UpstreamRequest proxyToServerRequest = proxyToServerRequest(clientToProxyRequest);
    proxy(exchange, clientToProxyRequest, proxyToServerRequest, proxyToClientResponse,
        proxyToClientCallback);
    return true;
  }

  /**
   * Runs attempts until one gets a response head that is passed on, or the request fails. Every
   * attempt is started and finished on the balancer exactly once.
   */
  private void proxy(Exchange exchange, Request clientToProxyRequest,
      UpstreamRequest proxyToServerRequest, Response proxyToClientResponse,
      Callback proxyToClientCallback) {
    UpstreamClient upstream = client;
    while (true) {
      Endpoint endpoint = exchange.start();
      clientToProxyRequest.setAttribute(ProxyRules.UPSTREAM_ATTRIBUTE, endpoint.address());
      UpstreamResponse serverToProxyResponse;
      try {
        serverToProxyResponse = upstream.send(endpoint.host(), endpoint.port(),
            proxyToServerRequest);
      } catch (UpstreamException e) {
        exchange.finish(0);
        if (e.kind() == UpstreamException.Kind.CONNECT) {
          if (proxyToServerRequest.bodyTouched()) {
            exchange.bodyTouched();
          }
          switch (exchange.afterFailedAttempt()) {
            case RETRY -> {
              LOG.debug("{} failed ({}), retry {} on {}", endpoint.address(), e,
                  exchange.retries(), exchange.endpoint().address());
              continue;
            }
            case REJECT -> {
              LOG.debug("{} failed ({}), answering 503", endpoint.address(), e);
              writeNoHealthyUpstream(proxyToClientResponse, proxyToClientCallback);
              return;
            }
            case GIVE_UP -> LOG.debug("{} failed ({}), not retried", endpoint.address(), e);
          }
        }
        fail(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, e);
        return;
      } catch (RuntimeException | Error e) {
        // Not an exchange failure (a target the upstream client refuses to write): Jetty answers.
        exchange.finish(0);
        throw e;
      }
      int status = serverToProxyResponse.status();
      if (proxyToServerRequest.bodyTouched()) {
        exchange.bodyTouched();
      }
      if (exchange.retriesResponse(status)) {
        // Nothing of this response reaches the client; its connection is not reused.
        serverToProxyResponse.close();
        switch (exchange.afterFailedAttempt()) {
          case RETRY -> {
            LOG.debug("{} answered {}, retry {} on {}", endpoint.address(), status,
                exchange.retries(), exchange.endpoint().address());
            continue;
          }
          case REJECT -> {
            LOG.debug("{} answered {}, answering 503", endpoint.address(), status);
            writeNoHealthyUpstream(proxyToClientResponse, proxyToClientCallback);
            return;
          }
          case GIVE_UP -> {
            // afterFailedAttempt only gives up on failures, never on a status already retried.
            Response.writeError(clientToProxyRequest, proxyToClientResponse,
                proxyToClientCallback, HttpStatus.BAD_GATEWAY_502);
            return;
          }
        }
      }
      try (serverToProxyResponse) {
        respond(exchange, clientToProxyRequest, serverToProxyResponse, proxyToClientResponse,
            proxyToClientCallback);
      } finally {
        exchange.finish(status);
      }
      return;
    }
  }

  /** Passes the backend's response on to the client, head then body, and completes. */
  private static void respond(Exchange exchange, Request clientToProxyRequest,
      UpstreamResponse serverToProxyResponse, Response proxyToClientResponse,
      Callback proxyToClientCallback) {
    proxyToClientResponse.setStatus(serverToProxyResponse.status());
    HttpFields.Mutable proxyToClientHeaders = proxyToClientResponse.getHeaders();
    copyResponseHeaders(serverToProxyResponse, proxyToClientHeaders);
    for (ResponseHeader header : exchange.responseHeaders()) {
      if (header.replace()) {
        proxyToClientHeaders.put(header.name(), header.value());
      } else {
        proxyToClientHeaders.add(header.name(), header.value());
      }
    }
    try {
      serverToProxyResponse.transferTo((bytes, offset, length, last) -> {
        try (Blocker.Callback written = Blocker.callback()) {
          proxyToClientResponse.write(last, ByteBuffer.wrap(bytes, offset, length), written);
          written.block();
        }
      });
    } catch (UpstreamException e) {
      // The backend failed mid-body (RESPONSE_BODY): 502 if nothing went out yet, else abort.
      LOG.debug("{}: response body failed: {}", clientToProxyRequest.getHttpURI(), e.toString());
      if (!proxyToClientResponse.isCommitted()) {
        proxyToClientResponse.reset();
      }
      fail(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, e);
      return;
    } catch (IOException | RuntimeException e) {
      // The client went away, or Jetty refused the write: nothing more can be sent.
      LOG.debug("{}: writing the response failed: {}", clientToProxyRequest.getHttpURI(),
          e.toString());
      proxyToClientCallback.failed(e);
      return;
    }
    proxyToClientCallback.succeeded();
  }

  /**
   * Ends a request whose exchange with the backend failed: 504 when the response head did not
   * come in time, 502 otherwise, and once the client response is committed, an aborted
   * connection. A client body that could not be read fails the request as Jetty sees fit.
   */
  private static void fail(Request clientToProxyRequest, Response proxyToClientResponse,
      Callback proxyToClientCallback, UpstreamException failure) {
    if (failure.kind() == UpstreamException.Kind.REQUEST_BODY) {
      LOG.debug("{}: {}", clientToProxyRequest.getHttpURI(), failure.getMessage());
      proxyToClientCallback.failed(failure);
      return;
    }
    LOG.debug("{}: {} {}", clientToProxyRequest.getHttpURI(), failure.kind(),
        failure.getMessage());
    int status = failure.kind() == UpstreamException.Kind.TIMEOUT
        ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502;
    if (proxyToClientResponse.isCommitted()) {
      proxyToClientCallback.failed(failure);
    } else {
      Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback,
          status);
    }
  }

  // ------------------------------------------------------------------------------ request

  /**
   * The request to the backend: method and target as received, the client's fields without
   * hop-by-hop ones and with X-Forwarded-For/-Proto/-Host set, and the client's body as a stream
   * that is read only while it is being sent.
   */
  private static UpstreamRequest proxyToServerRequest(Request clientToProxyRequest) {
    UpstreamRequest proxyToServerRequest =
        new UpstreamRequest(clientToProxyRequest.getMethod(), pathQuery(clientToProxyRequest));
    HttpFields clientHeaders = clientToProxyRequest.getHeaders();
    Set<String> connectionListed = clientHeaders.contains(HttpHeader.CONNECTION)
        ? ProxyRules.connectionListed(clientHeaders.getValuesList(HttpHeader.CONNECTION))
        : Set.of();
    List<String> forwardedFor = null;
    String host = null;
    for (HttpField field : clientHeaders) {
      HttpHeader header = field.getHeader();
      if (header == HttpHeader.X_FORWARDED_FOR) {
        if (forwardedFor == null) {
          forwardedFor = new ArrayList<>(2);
        }
        forwardedFor.add(field.getValue());
        continue;
      }
      if (header == HttpHeader.X_FORWARDED_PROTO || header == HttpHeader.X_FORWARDED_HOST
          || header == HttpHeader.CONTENT_LENGTH
          || isHopByHop(header, field.getName(), connectionListed)) {
        continue;
      }
      if (header == HttpHeader.HOST && host == null) {
        host = field.getValue();
      }
      proxyToServerRequest.header(field.getName(), field.getValue());
    }
    if (host == null) {
      // HTTP/2 and HTTP/3 clients send :authority, not Host: forward it as Host, as Envoy does.
      host = clientToProxyRequest.getHttpURI().getAuthority();
      proxyToServerRequest.header(HttpHeader.HOST.asString(), host);
    }
    // Instead of Jetty's Via and Forwarded: the X-Forwarded-* trio that Envoy, the Tomcat valve
    // and most backends understand.
    proxyToServerRequest.header(HttpHeader.X_FORWARDED_FOR.asString(), ProxyRules.forwardedFor(
        forwardedFor == null ? List.of() : forwardedFor,
        Addresses.ip(clientToProxyRequest.getConnectionMetaData().getRemoteSocketAddress())));
    String scheme = clientToProxyRequest.getHttpURI().getScheme();
    proxyToServerRequest.header(HttpHeader.X_FORWARDED_PROTO.asString(),
        scheme != null ? scheme : clientToProxyRequest.isSecure() ? "https" : "http");
    proxyToServerRequest.header(HttpHeader.X_FORWARDED_HOST.asString(), host);

    long length = bodyLength(clientToProxyRequest);
    if (length != 0) {
      InputStream body = Content.Source.asInputStream(clientToProxyRequest);
      proxyToServerRequest.body(body, length);
    }
    return proxyToServerRequest;
  }

  /**
   * The client body's length: its Content-Length; -1 (unknown, sent chunked) for a chunked
   * HTTP/1.1 body, or an HTTP/2 or HTTP/3 request without Content-Length whose method may carry a
   * body (those streams end the body without a header saying so); else 0 (none). A GET over
   * HTTP/2 is thus never read from, and stays retriable.
   */
  private static long bodyLength(Request clientToProxyRequest) {
    long length = clientToProxyRequest.getLength();
    if (length >= 0) {
      return length;
    }
    HttpFields headers = clientToProxyRequest.getHeaders();
    if (headers.contains(HttpHeader.TRANSFER_ENCODING)) {
      return -1;
    }
    HttpVersion version = clientToProxyRequest.getConnectionMetaData().getHttpVersion();
    boolean framedByStream = version != null && version.getVersion() >= 20;
    return framedByStream && !BODYLESS_METHODS.contains(clientToProxyRequest.getMethod()) ? -1 : 0;
  }

  private static String pathQuery(Request clientToProxyRequest) {
    String pathQuery = clientToProxyRequest.getHttpURI().getPathQuery();
    return pathQuery == null || pathQuery.isEmpty() ? "/" : pathQuery;
  }

  // ------------------------------------------------------------------------------ response

  /**
   * Copies the backend's header fields to the client response, without hop-by-hop ones; repeated
   * fields (Set-Cookie) all pass, untouched and in order. A field Jetty put there already (Server,
   * Date) takes the value of the backend's first field of that name, in place: Jetty 12.0 keeps
   * those as persistent fields, which may be replaced but not removed. Content-Length is the body's
   * length as the client reads it: the backend's for a body framed by length, none for a chunked
   * one (Jetty frames it), and the backend's as is for a response without a body (HEAD, 304).
   */
  private static void copyResponseHeaders(UpstreamResponse serverToProxyResponse,
      HttpFields.Mutable proxyToClientHeaders) {
    int count = serverToProxyResponse.fieldCount();
    Set<String> connectionListed = Set.of();
    for (int i = 0; i < count; i++) {
      if (serverToProxyResponse.name(i).equalsIgnoreCase("connection")) {
        connectionListed = ProxyRules.connectionListed(serverToProxyResponse.values("connection"));
        break;
      }
    }
    int preset = proxyToClientHeaders.size();
    // Counted here: the response fields' iterator of Jetty 12.1.12 reports a nextIndex() of 1
    // before its first field.
    ListIterator<HttpField> jettys = proxyToClientHeaders.listIterator();
    for (int k = 0; k < preset && jettys.hasNext(); k++) {
      int first = first(serverToProxyResponse, jettys.next().getName());
      HttpField backends = first < 0 ? null : field(serverToProxyResponse, first, connectionListed);
      if (backends != null) {
        jettys.set(backends);
      }
    }
    boolean hasBody = serverToProxyResponse.hasBody();
    for (int i = 0; i < count; i++) {
      HttpField field = field(serverToProxyResponse, i, connectionListed);
      if (field == null || field.getHeader() == HttpHeader.CONTENT_LENGTH && hasBody
          || preset > 0 && isPreset(proxyToClientHeaders, preset, field)
          && first(serverToProxyResponse, field.getName()) == i) {
        continue; // dropped, framed by Jetty, or already in the place of Jetty's own
      }
      proxyToClientHeaders.add(field);
    }
    long contentLength = serverToProxyResponse.contentLength();
    if (hasBody && contentLength >= 0) {
      proxyToClientHeaders.put(HttpHeader.CONTENT_LENGTH, contentLength);
    }
  }

  /** The backend's field {@code i}, or null when it is hop-by-hop. */
  private static HttpField field(UpstreamResponse serverToProxyResponse, int i,
      Set<String> connectionListed) {
    String name = serverToProxyResponse.name(i);
    HttpHeader header = HttpHeader.CACHE.get(name);
    return isHopByHop(header, name, connectionListed)
        ? null : new HttpField(header, name, serverToProxyResponse.value(i));
  }

  /** The index of the backend's first field named {@code name}, or -1. */
  private static int first(UpstreamResponse serverToProxyResponse, String name) {
    for (int i = 0, count = serverToProxyResponse.fieldCount(); i < count; i++) {
      if (serverToProxyResponse.name(i).equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether one of the first {@code preset} fields (Jetty's own) has the name of {@code field}. */
  private static boolean isPreset(HttpFields proxyToClientHeaders, int preset, HttpField field) {
    for (int k = 0; k < preset; k++) {
      if (proxyToClientHeaders.getField(k).isSameName(field)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a field must not cross the proxy (RFC 9110 section 7.6.1). Every name in
   * {@link ProxyRules#HOP_BY_HOP} is one of Jetty's {@link HttpHeader}s, so a field Jetty does
   * not know ({@code header} null) can only be hop-by-hop by being listed in Connection, and is
   * lower-cased only then.
   */
  static boolean isHopByHop(HttpHeader header, String name, Set<String> connectionListed) {
    if (header != null) {
      return ProxyRules.isHopByHop(header.lowerCaseName(), connectionListed);
    }
    return !connectionListed.isEmpty()
        && connectionListed.contains(StringUtil.asciiToLowerCase(name));
  }

  private static void writeNoHealthyUpstream(Response response, Callback callback) {
    response.setStatus(HttpStatus.SERVICE_UNAVAILABLE_503);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    Content.Sink.write(response, true, ProxyRules.NO_HEALTHY_UPSTREAM, callback);
  }
}
