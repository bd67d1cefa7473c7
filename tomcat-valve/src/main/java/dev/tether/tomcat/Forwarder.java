package dev.tether.tomcat;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.ResponseHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.coyote.ActionCode;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.res.StringManager;

/**
 * Forwards one client request to the backend the balancer chose, over the JDK HTTP client on
 * HTTP/1.1, and relays the answer. It follows the per-request flow every Tether container follows:
 * route, forward, retry where the balancer's retry policy says so (Istio's default: an idempotent
 * request, twice at most, on a connect failure or a 503), then write the session headers the
 * balancer asks for.
 *
 * <p>The legs are named as in Jetty's proxy: {@code clientRequest} (client -> proxy),
 * {@code proxyRequest} (proxy -> server), {@code serverResponse} (server -> proxy),
 * {@code clientResponse} (proxy -> client).
 */
final class Forwarder {
  /** The request attribute naming the backend used, for {@code %{tether.upstream}r}. */
  static final String UPSTREAM_ATTRIBUTE = "tether.upstream";

  /**
   * Request headers not copied as they are: Host and Content-Length come from the proxy request
   * itself, Expect is answered by Tomcat, X-Forwarded-* are rewritten, Cookie is joined into one.
   */
  private static final Set<String> REWRITTEN = Set.of(
      "host", "content-length", "expect", "x-forwarded-for", "x-forwarded-proto",
      "x-forwarded-host", "cookie");

  private static final Log log = LogFactory.getLog(Forwarder.class);
  private static final StringManager strings = StringManager.getManager(Forwarder.class);

  private final Balancer balancer;
  private final HttpClient client;
  private final ExecutorService executor;
  private final Duration requestTimeout;
  private final boolean preserveHost;

  private Forwarder(
      Balancer balancer, HttpClient client, ExecutorService executor, Duration requestTimeout,
      boolean preserveHost) {
    this.balancer = balancer;
    this.client = client;
    this.executor = executor;
    this.requestTimeout = requestTimeout;
    this.preserveHost = preserveHost;
  }

  /**
   * A forwarder with its own HTTP client: HTTP/1.1, no redirects followed, no cookie store, no
   * proxy (a JVM-wide {@code http.proxyHost} must not divert backend traffic).
   */
  static Forwarder create(Balancer balancer, ValveOptions options) {
    ExecutorService executor = Executors.newCachedThreadPool(new ProxyThreads());
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(options.connectTimeout())
        .executor(executor)
        .build();
    return new Forwarder(
        balancer, client, executor, options.requestTimeout(), hostHeaderSettable());
  }

  /**
   * Whether the JDK client lets us set {@code Host}. It refuses by default; an operator can allow
   * it JVM-wide with {@code -Djdk.httpclient.allowRestrictedHeaders=host}, and then the backend
   * sees the client's Host as it would behind Envoy.
   */
  static boolean hostHeaderSettable() {
    try {
      HttpRequest.newBuilder().header("Host", "probe");
      return true;
    } catch (IllegalArgumentException restricted) {
      return false;
    }
  }

  boolean preservesHost() {
    return preserveHost;
  }

  Balancer balancer() {
    return balancer;
  }

  /**
   * Stops the balancer's background work (discovery, health checks, ejection sweeps, JMX) and the
   * client's worker threads; exchanges still running fail.
   */
  void close() {
    balancer.close();
    executor.shutdownNow();
  }

  /** Handles one client request entirely: the client response is complete when it returns. */
  void forward(Request clientRequest, Response clientResponse) throws IOException {
    TomcatRequestView view = new TomcatRequestView(clientRequest);
    ClientBody clientBody = ClientBody.of(clientRequest);
    Decision decision = balancer.route(view);
    for (int retries = 0; ; retries++) {
      if (!decision.routed()) {
        reply(clientResponse, 503, "no healthy upstream");
        return;
      }
      Endpoint endpoint = decision.endpoint();
      clientRequest.setAttribute(UPSTREAM_ATTRIBUTE, endpoint.address());
      HttpRequest proxyRequest;
      try {
        proxyRequest = proxyRequest(clientRequest, view, endpoint, clientBody);
      } catch (URISyntaxException | IllegalArgumentException badTarget) {
        reply(clientResponse, 400, "bad request target");
        return;
      }
      balancer.requestStarted(endpoint);
      HttpResponse<InputStream> serverResponse;
      try {
        serverResponse = client.send(proxyRequest, BodyHandlers.ofInputStream());
      } catch (ConnectException | HttpConnectTimeoutException connectFailure) {
        balancer.requestFinished(endpoint, 0);
        boolean retry = mayRetry(view, decision, clientBody, 0, retries);
        if (log.isDebugEnabled()) {
          log.debug(strings.getString(
              "forwarder.connectFailed", endpoint.address(), connectFailure.toString(), retry));
        }
        if (!retry) {
          reply(clientResponse, 503, "upstream connect error");
          return;
        }
        decision = balancer.retry(view, decision);
        continue;
      } catch (HttpTimeoutException timeout) {
        balancer.requestFinished(endpoint, 0);
        reply(clientResponse, 504, "upstream request timeout");
        return;
      } catch (IOException ioFailure) {
        // A reset after the connection was made: the request may have reached the backend, and
        // Istio's default retry policy does not retry resets, so neither does the valve.
        balancer.requestFinished(endpoint, 0);
        if (log.isDebugEnabled()) {
          log.debug(strings.getString(
              "forwarder.exchangeFailed", endpoint.address(), ioFailure.toString()));
        }
        reply(clientResponse, 502, "upstream reset before response");
        return;
      } catch (InterruptedException interrupted) {
        balancer.requestFinished(endpoint, 0);
        Thread.currentThread().interrupt();
        reply(clientResponse, 503, "upstream request interrupted");
        return;
      }
      int status = serverResponse.statusCode();
      balancer.requestFinished(endpoint, status);
      if (mayRetry(view, decision, clientBody, status, retries)) {
        // A retriable status (Istio: 503) and nothing sent to the client yet: drop this answer.
        serverResponse.body().close();
        decision = balancer.retry(view, decision);
        continue;
      }
      relay(clientResponse, decision, endpoint, serverResponse);
      return;
    }
  }

  /**
   * The balancer's retry policy decides; the valve adds what only it knows: a request body the
   * backend has started reading cannot be sent again.
   */
  private boolean mayRetry(
      TomcatRequestView view, Decision decision, ClientBody clientBody, int status, int retries) {
    return !clientBody.consumed() && balancer.shouldRetry(view, decision, status, retries);
  }

  private HttpRequest proxyRequest(
      Request clientRequest, TomcatRequestView view, Endpoint endpoint, ClientBody clientBody)
      throws URISyntaxException {
    HttpRequest.Builder proxyRequest =
        HttpRequest.newBuilder(RequestTargets.uri(endpoint.address(), view.pathAndQuery()))
            .timeout(requestTimeout)
            .method(clientRequest.getMethod(), clientBody.publisher());
    Set<String> hopByHop = HopByHop.namesToDrop(view.headers("connection"));
    for (Enumeration<String> names = clientRequest.getHeaderNames(); names.hasMoreElements(); ) {
      String name = names.nextElement();
      String lower = name.toLowerCase(Locale.ROOT);
      if (hopByHop.contains(lower) || REWRITTEN.contains(lower)) {
        continue;
      }
      for (Enumeration<String> values = clientRequest.getHeaders(name);
          values.hasMoreElements(); ) {
        header(proxyRequest, name, values.nextElement());
      }
    }
    List<String> cookies = view.headers("cookie");
    if (!cookies.isEmpty()) {
      // HTTP/2 clients split cookies over several fields; HTTP/1.1 allows one (RFC 9113 8.2.3).
      header(proxyRequest, "Cookie", String.join("; ", cookies));
    }
    String clientIp = view.remoteAddress();
    List<String> forwardedFor = view.headers("x-forwarded-for");
    header(proxyRequest, "X-Forwarded-For", forwardedFor.isEmpty()
        ? clientIp : String.join(", ", forwardedFor) + ", " + clientIp);
    header(proxyRequest, "X-Forwarded-Proto", clientRequest.getScheme());
    String host = clientRequest.getHeader("host");
    if (host != null) {
      header(proxyRequest, "X-Forwarded-Host", host);
      if (preserveHost) {
        header(proxyRequest, "Host", host);
      }
    }
    return proxyRequest.build();
  }

  /** Adds a header the JDK client accepts; a value it rejects is left out rather than failing. */
  private static void header(HttpRequest.Builder proxyRequest, String name, String value) {
    if (name == null || value == null) {
      return;
    }
    try {
      proxyRequest.header(name, value);
    } catch (IllegalArgumentException rejected) {
      if (log.isDebugEnabled()) {
        log.debug(strings.getString("forwarder.headerDropped", name, rejected.getMessage()));
      }
    }
  }

  private void relay(
      Response clientResponse, Decision decision, Endpoint endpoint,
      HttpResponse<InputStream> serverResponse) {
    try (InputStream serverBody = serverResponse.body()) {
      clientResponse.setStatus(serverResponse.statusCode());
      copyResponseHeaders(serverResponse.headers(), clientResponse);
      for (ResponseHeader header : balancer.responseHeaders(decision, endpoint)) {
        if (header.replace()) {
          clientResponse.setHeader(header.name(), header.value());
        } else {
          clientResponse.addHeader(header.name(), header.value());
        }
      }
      copyBody(serverBody, clientResponse, endpoint);
    } catch (IOException clientFailure) {
      // Writing the client response (or closing the server body) failed: the client is gone,
      // and closing the server body has cancelled the exchange.
    }
  }

  private static void copyResponseHeaders(HttpHeaders serverHeaders, Response clientResponse) {
    Set<String> hopByHop = HopByHop.namesToDrop(serverHeaders.allValues("connection"));
    for (Map.Entry<String, List<String>> field : serverHeaders.map().entrySet()) {
      String name = field.getKey();
      String lower = name.toLowerCase(Locale.ROOT);
      if (hopByHop.contains(lower) || lower.startsWith(":")) {
        continue;
      }
      List<String> values = field.getValue();
      if (values.isEmpty()) {
        continue;
      }
      if (lower.equals("content-length")) {
        try {
          clientResponse.setContentLengthLong(Long.parseLong(values.get(0).trim()));
        } catch (NumberFormatException invalid) {
          // The JDK client already rejects a response whose length it cannot read.
        }
      } else if (lower.equals("content-type")) {
        // Verbatim: Response.setContentType would re-serialize the charset parameter.
        clientResponse.getCoyoteResponse().setContentTypeNoCharset(values.get(0));
      } else {
        // Set-Cookie and every other field pass through untouched, one field per value.
        for (String value : values) {
          clientResponse.addHeader(name, value);
        }
      }
    }
  }

  /**
   * Streams the server body to the client, flushing whenever the server has nothing more ready,
   * so a slow or unbounded stream (server-sent events) reaches the client as it is produced.
   */
  private static void copyBody(InputStream serverBody, Response clientResponse, Endpoint endpoint)
      throws IOException {
    byte[] buffer = new byte[16 * 1024];
    OutputStream clientOut = clientResponse.getOutputStream();
    while (true) {
      int read;
      try {
        read = serverBody.read(buffer);
      } catch (IOException serverFailure) {
        abort(clientResponse, endpoint, serverFailure);
        return;
      }
      if (read < 0) {
        return;
      }
      try {
        clientOut.write(buffer, 0, read);
        if (serverBody.available() == 0) {
          clientOut.flush();
        }
      } catch (IOException clientGone) {
        // The client closed its connection: closing the server body cancels the exchange.
        return;
      }
    }
  }

  /**
   * The server failed mid-response. Before anything was sent the client gets a 502; after, the
   * connection is closed at once, so a truncated body is never mistaken for a complete one (a
   * normal end would write the last chunk).
   */
  private static void abort(Response clientResponse, Endpoint endpoint, IOException failure)
      throws IOException {
    if (log.isDebugEnabled()) {
      log.debug(strings.getString("forwarder.bodyFailed", endpoint.address(), failure.toString()));
    }
    if (!clientResponse.isCommitted()) {
      reply(clientResponse, 502, "upstream reset during response");
      return;
    }
    clientResponse.getCoyoteResponse().action(ActionCode.CLOSE_NOW, failure);
  }

  /** A short plain-text answer from the proxy itself, as Envoy gives one. */
  static void reply(Response clientResponse, int status, String message) throws IOException {
    if (clientResponse.isCommitted()) {
      return;
    }
    clientResponse.reset();
    clientResponse.setStatus(status);
    clientResponse.setContentType("text/plain;charset=UTF-8");
    byte[] body = message.getBytes(StandardCharsets.UTF_8);
    clientResponse.setContentLength(body.length);
    clientResponse.getOutputStream().write(body);
  }

  /**
   * Daemon threads for the HTTP client, named for thread dumps, with the valve's class loader as
   * context loader so no web application's loader is pinned by a proxy thread.
   */
  private static final class ProxyThreads implements ThreadFactory {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final int pool = POOLS.incrementAndGet();
    private final AtomicInteger threads = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "tether-proxy-" + pool + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      thread.setContextClassLoader(Forwarder.class.getClassLoader());
      return thread;
    }
  }
}
