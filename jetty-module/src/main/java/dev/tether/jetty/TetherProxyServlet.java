package dev.tether.jetty;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Endpoint;
import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import dev.tether.api.Proxy;
import dev.tether.core.ConfigException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * The Tether proxy as a Jakarta Servlet (Jetty's ee10 {@link ProxyServlet}), for a webapp that
 * maps it in {@code web.xml}. It drives the same core {@link Exchange} as
 * {@link TetherProxyHandler}, on the servlet's hooks: local replies through the servlet response
 * ({@code Content-Type: text/plain}, never the container's error page), header fields from the
 * exchange on both legs, the same timeouts (ProxyServlet's total {@code timeout} is not used: it
 * would cut streams) and the same retries. Upgrade requests (WebSocket and any HTTP/1.1
 * {@code Upgrade}) run through the same {@link UpgradeRelay} as the handler's, on the core
 * request under the servlet request, with a blocking callback as Jetty's own WebSocket servlet
 * upgrades (a servlet {@code HttpServletRequest.upgrade} is not implemented by Jetty 12.0's
 * ee10); the open tunnel holds no thread. Prefer the handler (the {@code tether} Jetty module)
 * unless the proxy must live inside a webapp.
 *
 * <p>Configuration: every Tether key as an init-parameter, with or without the {@code tether.}
 * prefix ({@code endpoints}, {@code sessionHeader}, ...). Init-parameters that are not Tether keys
 * and carry no prefix belong to {@link ProxyServlet} ({@code maxThreads}, {@code maxConnections},
 * ...; its {@code timeout} and {@code idleTimeout} are replaced by Tether's timeouts). A relative
 * {@code destinationRule} is resolved against the {@code jetty.base} system property. A bad value
 * makes the servlet unavailable with the message {@code key: value (expected: ...)}.
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

  /** The request attribute that carries a queued request's {@link Admission} to its dispatch. */
  private static final String ADMISSION_ATTRIBUTE = "dev.tether.jetty.admission";

  /** Why a backend response was abandoned at its head: the exchange retries or replies instead. */
  private static final Exception DROPPED = new Exception("response dropped", null, false, false) {
    private static final long serialVersionUID = 1L;
  };

  private transient volatile Balancer balancer;
  private transient volatile Proxy proxy;
  private transient volatile UpgradeRelay relay;
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
    if (balancer == null) {
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
    proxy = Tether.proxy(balancer);
    super.init();
    UpgradeRelay upgrades = new UpgradeRelay(getHttpClient(), proxy.timeouts());
    try {
      upgrades.start();
    } catch (Exception e) {
      throw new ServletException("cannot start the upgrade relay", e);
    }
    relay = upgrades;
  }

  @Override
  public void destroy() {
    try {
      UpgradeRelay upgrades = relay;
      relay = null;
      if (upgrades != null) {
        upgrades.stop();
      }
    } catch (Exception e) {
      _log.debug("could not stop the upgrade relay", e);
    }
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
    client.setConnectTimeout(proxy.timeouts().connect().toMillis());
    HttpClientPools.configure(client, proxy.connectionPool());
    return client;
  }

  /** No total timeout: the head timer and the idle timeout are Tether's (see the class doc). */
  @Override
  public long getTimeout() {
    return 0;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    Proxy current = proxy;
    ServletContextRequest coreRequest = ServletContextRequest.getServletContextRequest(request);
    if (request.getDispatcherType() == DispatcherType.ASYNC
        && request.getAttribute(ADMISSION_ATTRIBUTE) instanceof Admission queued) {
      // The dispatch of a request that circuit breaking had queued: its slot came.
      request.removeAttribute(ADMISSION_ATTRIBUTE);
      proceed(current, queued.exchange(), queued.now(), request, response, coreRequest);
      return;
    }
    Admission admission = Admission.start(current.open(new JettyRequestView(coreRequest)));
    Step first = admission.now();
    if (first == null) {
      // Queued by circuit breaking: the container thread is given back (the request goes
      // async, without an async timeout: the request timeout bounds the wait), and the request
      // is dispatched again once its first step comes.
      AsyncContext async = request.startAsync();
      async.setTimeout(0);
      request.setAttribute(ADMISSION_ATTRIBUTE, admission);
      admission.later(step -> async.dispatch());
      return;
    }
    proceed(current, admission.exchange(), first, request, response, coreRequest);
  }

  /** Does what the exchange's first step says: a local reply, an upgrade, or a forward. */
  private void proceed(Proxy current, Exchange exchange, Step first, HttpServletRequest request,
      HttpServletResponse response, ServletContextRequest coreRequest)
      throws ServletException, IOException {
    if (first != Step.FORWARD) {
      LocalReplies.write(response, exchange.reply());
      return;
    }
    if (exchange.isUpgrade()) {
      upgrade(exchange, coreRequest);
      return;
    }
    ProxyCall call = new ProxyCall(exchange, getHttpClient().getScheduler(),
        current.timeouts().idle().toMillis());
    request.setAttribute(ProxyCall.ATTRIBUTE, call);
    coreRequest.addFailureListener(call);
    request.setAttribute(Exchange.UPSTREAM_ATTRIBUTE, exchange.upstream());
    super.service(request, response);
  }

  /** The handler's relay on the core request, this thread waiting for the handshake only. */
  private void upgrade(Exchange exchange, ServletContextRequest coreRequest) {
    try (Blocker.Callback handshake = Blocker.callback()) {
      relay.relay(exchange, coreRequest, coreRequest.getServletContextResponse(), handshake);
      handshake.block();
    } catch (IOException e) {
      _log.debug("upgrade ended before its answer was written", e);
    }
  }

  @Override
  protected String rewriteTarget(HttpServletRequest clientRequest) {
    // Only null-checked and logged by the superclass: newProxyRequest builds the target.
    return Targets.pathAndQuery(ServletContextRequest.getServletContextRequest(clientRequest));
  }

  @Override
  protected Request newProxyRequest(HttpServletRequest request, String rewrittenTarget) {
    // Not through java.net.URI: it rejects targets Jetty accepts; the target goes on as received.
    ProxyCall call = call(request);
    Endpoint endpoint = call.exchange.endpoint();
    Request proxyRequest = getHttpClient().newRequest(endpoint.host(), endpoint.port())
        .scheme("http")
        .method(request.getMethod())
        .path(rewrittenTarget)
        .attribute(CLIENT_REQUEST_ATTRIBUTE, request);
    call.attempt(proxyRequest);
    return proxyRequest;
  }

  /** The exchange wrote the fields in {@link ProxyCall#attempt}; only ProxyServlet's hostHeader is left. */
  @Override
  protected void copyRequestHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
    String host = getHostHeader();
    if (host != null) {
      proxyRequest.headers(headers -> headers.put(HttpHeader.HOST, host));
    }
  }

  /** None: the exchange wrote X-Forwarded-For/-Proto/-Host, and Tether adds no Via or Forwarded. */
  @Override
  protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
  }

  /** Never: the exchange drops Expect, and the container answers 100-continue at the first read. */
  @Override
  protected boolean expects100Continue(HttpServletRequest request) {
    return false;
  }

  @Override
  protected Request.Content proxyRequestContent(HttpServletRequest request,
      HttpServletResponse response, Request proxyRequest) throws IOException {
    // An anonymous subclass: the superclass's content has a protected constructor.
    return new ReplayableBody(new ProxyInputStreamRequestContent(request, response, proxyRequest,
        request.getInputStream()) { }, call(request));
  }

  @Override
  protected void onClientRequestFailure(HttpServletRequest clientRequest, Request proxyRequest,
      HttpServletResponse proxyResponse, Throwable failure) {
    proxyRequest.abort(new Failures.ClientGone(failure));
  }

  @Override
  protected Response.Listener newProxyResponseListener(HttpServletRequest request,
      HttpServletResponse response) {
    ProxyCall call = call(request);
    return new ProxyResponseListener(request, response) {
      /**
       * Nothing yet: HttpClient reports the status line before it has parsed the fields, and a
       * head it then refuses (framed two ways, a bare CR in a field) must not have reached the
       * client. The exchange hears of the head once it is whole, in onHeaders.
       */
      @Override
      public void onBegin(Response serverResponse) {
      }

      @Override
      public void onHeaders(Response serverResponse) {
        if (call.responseBegin(serverResponse.getStatus()) != Step.RELAY) {
          // Nothing of this response reaches the client: onProxyResponseFailure does what the
          // exchange said (forward again, or reply).
          serverResponse.abort(DROPPED);
          return;
        }
        super.onBegin(serverResponse);
        super.onHeaders(serverResponse);
      }
    };
  }

  @Override
  protected void onServerResponseHeaders(HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse, Response serverResponse) {
    call(clientRequest).exchange.responseHeaders(new JettyFields(serverResponse.getHeaders()),
        new ServletResponseFields(proxyResponse));
  }

  /**
   * Writes a body chunk and flushes it, so a stream (server-sent events) reaches the client as it
   * comes rather than when the servlet's buffer fills, as the handler relays it; a client that
   * cannot take it is the client's failure, not the backend's.
   */
  @Override
  protected void onResponseContent(HttpServletRequest request, HttpServletResponse response,
      Response proxyResponse, byte[] buffer, int offset, int length, Callback callback) {
    try {
      response.getOutputStream().write(buffer, offset, length);
      response.getOutputStream().flush();
    } catch (IOException | RuntimeException e) {
      callback.failed(new Failures.ClientGone(e));
      return;
    }
    callback.succeeded();
  }

  @Override
  protected void onProxyResponseSuccess(HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse, Response serverResponse) {
    call(clientRequest).completed();
    super.onProxyResponseSuccess(clientRequest, proxyResponse, serverResponse);
  }

  @Override
  protected void onProxyResponseFailure(HttpServletRequest clientRequest,
      HttpServletResponse proxyResponse, Response serverResponse, Throwable failure) {
    ProxyCall call = call(clientRequest);
    Step step = call.failed(failure);
    if (_log.isDebugEnabled()) {
      _log.debug("{} attempt {} ended ({}): {}", call.exchange.upstream(),
          call.exchange.attempts(), failure, step);
    }
    AsyncContext async = clientRequest.getAsyncContext();
    try {
      switch (step) {
        case FORWARD -> {
          resend(clientRequest, proxyResponse, call);
          return;
        }
        case REPLY -> LocalReplies.write(proxyResponse, call.exchange.reply());
        default -> {
          // The client is gone, or a relayed body was cut: send what head there is, then abort
          // the connection (sendError(-1)), so the client never takes the response as whole.
          if (call.isRelaying() && !proxyResponse.isCommitted()) {
            proxyResponse.flushBuffer();
          }
          proxyResponse.sendError(-1);
        }
      }
    } catch (IOException | RuntimeException e) {
      _log.debug("could not answer after {}", failure, e);
      call.exchange.failed(Failure.CANCELLED);
    }
    async.complete();
  }

  /** What {@link ProxyServlet#service} does for a new attempt, minus starting async again. */
  private void resend(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
      ProxyCall call) throws IOException {
    clientRequest.setAttribute(Exchange.UPSTREAM_ATTRIBUTE, call.exchange.upstream());
    Request proxyRequest = newProxyRequest(clientRequest, rewriteTarget(clientRequest));
    copyRequestHeaders(clientRequest, proxyRequest);
    if (hasContent(clientRequest)) {
      proxyRequest.body(proxyRequestContent(clientRequest, proxyResponse, proxyRequest));
    }
    sendProxyRequest(clientRequest, proxyResponse, proxyRequest);
  }

  private static ProxyCall call(HttpServletRequest request) {
    return (ProxyCall) request.getAttribute(ProxyCall.ATTRIBUTE);
  }
}
