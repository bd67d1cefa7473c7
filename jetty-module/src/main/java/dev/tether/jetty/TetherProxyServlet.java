package dev.tether.jetty;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.client.HopByHop;
import dev.tether.core.ConfigException;
import dev.tether.core.Tether;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;

/**
 * The Tether proxy as a Jakarta Servlet (Jetty's ee10 {@link ProxyServlet}), for a webapp that
 * maps it in {@code web.xml}. It behaves as {@link TetherProxyHandler} does; prefer the handler
 * (the {@code tether} Jetty module) unless the proxy must live inside a webapp.
 *
 * <p>Configuration: every Tether key as an init-parameter, with or without the {@code tether.}
 * prefix ({@code endpoints}, {@code sessionHeader}, ...). Init-parameters that are not Tether keys
 * and carry no prefix belong to {@link ProxyServlet} ({@code maxThreads}, {@code timeout},
 * {@code idleTimeout}, ...). A relative {@code destinationRule} is resolved against the
 * {@code jetty.base} system property. A bad value makes the servlet unavailable with the message
 * {@code key: value (expected: ...)}.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>tether</servlet-name>
 *   <servlet-class>dev.tether.jetty.TetherProxyServlet</servlet-class>
 *   <init-param><param-name>endpoints</param-name><param-value>10.0.0.1:8080,10.0.0.2:8080</param-value></init-param>
 *   <init-param><param-name>sessionHeader</param-name><param-value>x-session-header</param-value></init-param>
 *   <async-supported>true</async-supported>
 * </servlet>
 * <servlet-mapping><servlet-name>tether</servlet-name><url-pattern>/*</url-pattern></servlet-mapping>
 * }</pre>
 *
 * <p>The servlet forwards the request path as received, context path included.
 */
public class TetherProxyServlet extends ProxyServlet {
  private static final long serialVersionUID = 1L;

  private transient volatile Balancer balancer;
  /** Whether {@link #init()} built the balancer, so {@link #destroy()} closes it. */
  private transient volatile boolean ownsBalancer;

  /** A servlet configured from its init-parameters; it closes its balancer when destroyed. */
  public TetherProxyServlet() {}

  /**
   * A servlet routing with {@code balancer}; Tether init-parameters are then ignored. The caller
   * owns the balancer: destroying the servlet does not close it.
   */
  public TetherProxyServlet(Balancer balancer) {
    this.balancer = Objects.requireNonNull(balancer, "balancer");
  }

  /** The balancer this servlet routes with; null before {@link #init()}. */
  public Balancer balancer() {
    return balancer;
  }

  @Override
  public void init() throws ServletException {
    super.init();
    if (balancer != null) {
      return;
    }
    Set<String> tetherKeys = Tether.defaults().keySet();
    Map<String, String> keys = new LinkedHashMap<>();
    for (String name : Collections.list(getInitParameterNames())) {
      if (name.startsWith("tether.") || tetherKeys.contains(name)) {
        keys.put(name, getInitParameter(name));
      }
    }
    try {
      balancer = Tether.balancer(
          Settings.parse(keys, Path.of(System.getProperty("jetty.base", ""))));
      ownsBalancer = true;
    } catch (ConfigException e) {
      throw new UnavailableException(e.getMessage());
    }
  }

  @Override
  public void destroy() {
    try {
      super.destroy();
    } finally {
      if (ownsBalancer) {
        balancer.close();
        balancer = null;
        ownsBalancer = false;
      }
    }
  }

  @Override
  protected HttpClient createHttpClient() throws ServletException {
    HttpClient client = super.createHttpClient();
    // Forward the client's User-Agent untouched; never invent one.
    client.setUserAgentField(null);
    return client;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    Balancer current = balancer;
    RequestView view = new ServletRequestView(request);
    Decision decision = current.route(view);
    if (!decision.routed()) {
      writeNoHealthyUpstream(request, response);
      return;
    }
    Exchange exchange = new Exchange(current, view, decision);
    request.setAttribute(Exchange.ATTRIBUTE, exchange);
    Endpoint endpoint = exchange.start();
    request.setAttribute(ProxyRules.UPSTREAM_ATTRIBUTE, endpoint.address());
    try {
      super.service(request, response);
    } catch (IOException | ServletException | RuntimeException | Error e) {
      exchange.finish(0);
      throw e;
    }
  }

  @Override
  protected String rewriteTarget(HttpServletRequest clientRequest) {
    return "http://" + exchange(clientRequest).endpoint().address() + pathAndQuery(clientRequest);
  }

  @Override
  protected Request newProxyRequest(HttpServletRequest request, String rewrittenTarget) {
    // Not through java.net.URI: it rejects targets Jetty accepts; the target goes on as received.
    Endpoint endpoint = exchange(request).endpoint();
    return getHttpClient().newRequest(endpoint.host(), endpoint.port())
        .scheme("http")
        .method(request.getMethod())
        .path(pathAndQuery(request))
        .attribute(CLIENT_REQUEST_ATTRIBUTE, request);
  }

  @Override
  protected void copyRequestHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
    super.copyRequestHeaders(clientRequest, proxyRequest);
    // ProxyServlet drops Host unless preserveHost; Tether keeps it as the client sent it.
    String host = clientRequest.getHeader("Host");
    if (host != null && getHostHeader() == null) {
      proxyRequest.headers(headers -> headers.put(HttpHeader.HOST, host));
    }
  }

  @Override
  protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
    String forwardedFor = ProxyRules.forwardedFor(
        Collections.list(clientRequest.getHeaders("X-Forwarded-For")),
        Addresses.normalize(clientRequest.getRemoteAddr()));
    String proto = clientRequest.getScheme();
    String host = clientRequest.getHeader("Host");
    proxyRequest.headers(headers -> {
      headers.put(HttpHeader.X_FORWARDED_FOR, forwardedFor);
      headers.put(HttpHeader.X_FORWARDED_PROTO, proto);
      if (host != null) {
        headers.put(HttpHeader.X_FORWARDED_HOST, host);
      }
    });
  }

  @Override
  protected Request.Content proxyRequestContent(HttpServletRequest request,
      HttpServletResponse response, Request proxyRequest) throws IOException {
    Exchange exchange = exchange(request);
    return new ProxyInputStreamRequestContent(request, response, proxyRequest,
        request.getInputStream()) {
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
        // An untouched body may still go to a retry: do not close the client's stream.
        if (exchange.isBodyTouched()) {
          super.fail(failure, last);
        }
      }
    };
  }

  @Override
  protected Response.Listener newProxyResponseListener(HttpServletRequest request,
      HttpServletResponse response) {
    return new ProxyResponseListener(request, response) {
      @Override
      public void onBegin(Response serverResponse) {
        if (exchange(request).retriesResponse(serverResponse.getStatus())) {
          // Nothing of this response reaches the client: onProxyResponseFailure sends again.
          serverResponse.abort(new RetriableResponseException(serverResponse.getStatus()));
          return;
        }
        super.onBegin(serverResponse);
      }

      @Override
      public void onHeaders(Response serverResponse) {
        if (!exchange(request).isRetryPending()) {
          super.onHeaders(serverResponse);
        }
      }

      @Override
      public void onComplete(Result result) {
        exchange(request).finish(result.getResponse().getStatus());
        super.onComplete(result);
      }
    };
  }

  @Override
  protected void onServerResponseHeaders(HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse, Response serverResponse) {
    Set<String> connectionListed = HopByHop.connectionListed(
        serverResponse.getHeaders().getValuesList(HttpHeader.CONNECTION));
    Set<String> seen = new HashSet<>();
    for (HttpField field : serverResponse.getHeaders()) {
      String name = field.getLowerCaseName();
      if (HopByHop.isHopByHop(name, connectionListed)) {
        continue;
      }
      if (seen.add(name)) {
        proxyResponse.setHeader(field.getName(), field.getValue());
      } else {
        proxyResponse.addHeader(field.getName(), field.getValue());
      }
    }
    for (ResponseHeader header : exchange(clientRequest).responseHeaders()) {
      if (header.replace()) {
        proxyResponse.setHeader(header.name(), header.value());
      } else {
        proxyResponse.addHeader(header.name(), header.value());
      }
    }
  }

  @Override
  protected void onProxyResponseFailure(HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse, Response serverResponse, Throwable failure) {
    Exchange exchange = exchange(clientRequest);
    boolean noResponseByte = serverResponse == null || serverResponse.getStatus() == 0;
    // A timeout means the backend has the request and is slow: not retried (504).
    boolean retriable = exchange != null && !proxyResponse.isCommitted()
        && (exchange.isRetryPending() || noResponseByte && !(failure instanceof TimeoutException));
    if (retriable) {
      Endpoint failed = exchange.endpoint();
      switch (exchange.afterFailedAttempt()) {
        case RETRY -> {
          _log.debug("{} failed ({}), retry {} on {}", failed.address(), failure,
              exchange.retries(), exchange.endpoint().address());
          try {
            resend(clientRequest, proxyResponse, exchange);
            return;
          } catch (IOException | RuntimeException e) {
            exchange.finish(0);
            failure = e;
          }
        }
        case REJECT -> {
          _log.debug("{} failed ({}), answering 503", failed.address(), failure);
          writeNoHealthyUpstream(clientRequest, proxyResponse);
          return;
        }
        case GIVE_UP -> _log.debug("{} failed ({}), not retried", failed.address(), failure);
      }
    }
    super.onProxyResponseFailure(clientRequest, proxyResponse, serverResponse, failure);
  }

  /** What {@link ProxyServlet#service} does, minus starting async: it has started already. */
  private void resend(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
      Exchange exchange) throws IOException {
    Endpoint endpoint = exchange.start();
    clientRequest.setAttribute(ProxyRules.UPSTREAM_ATTRIBUTE, endpoint.address());
    Request proxyRequest = newProxyRequest(clientRequest, rewriteTarget(clientRequest));
    copyRequestHeaders(clientRequest, proxyRequest);
    addProxyHeaders(clientRequest, proxyRequest);
    proxyRequest.timeout(getTimeout(), TimeUnit.MILLISECONDS);
    if (hasContent(clientRequest)) {
      proxyRequest.body(proxyRequestContent(clientRequest, proxyResponse, proxyRequest));
    }
    sendProxyRequest(clientRequest, proxyResponse, proxyRequest);
  }

  private void writeNoHealthyUpstream(HttpServletRequest request, HttpServletResponse response) {
    try {
      response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      response.setContentType("text/plain; charset=utf-8");
      response.getOutputStream().write(
          ProxyRules.NO_HEALTHY_UPSTREAM.getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      _log.debug("could not write the 503", e);
    } finally {
      if (request.isAsyncStarted()) {
        request.getAsyncContext().complete();
      }
    }
  }

  private static Exchange exchange(HttpServletRequest request) {
    return (Exchange) request.getAttribute(Exchange.ATTRIBUTE);
  }

  private static String pathAndQuery(HttpServletRequest request) {
    String query = request.getQueryString();
    return query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
  }
}
