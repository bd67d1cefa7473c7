package dev.tether.tomcat;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.ResponseHeader;
import dev.tether.client.HopByHop;
import dev.tether.client.UpstreamClient;
import dev.tether.client.UpstreamException;
import dev.tether.client.UpstreamOptions;
import dev.tether.client.UpstreamRequest;
import dev.tether.client.UpstreamResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.coyote.ActionCode;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.http.MimeHeaders;
import org.apache.tomcat.util.res.StringManager;

/**
 * Forwards one client request to the backend the balancer chose, over HTTP/1.1, and relays the
 * answer. It follows the per-request flow every Tether container follows: route, forward, retry
 * where the balancer's retry policy says so (Istio's default: an idempotent request, twice at
 * most, on a connect failure or a 503), then write the session headers the balancer asks for.
 *
 * <p>The exchange runs on the Tomcat thread that owns the client request, through the core's
 * blocking {@link UpstreamClient}: the request is written and the answer read through buffers
 * that belong to a pooled backend connection, and each piece of the response body goes straight
 * from that buffer to the client response. It replaced the JDK {@code HttpClient}, whose
 * executor and reactive body plumbing were about a third of the valve's CPU and which needed a
 * copy buffer per request (issue 7); it also could not send the client's {@code Host}, which this
 * client does, as Envoy does. No proxy thread is started, so no thread can pin a web
 * application's class loader.
 *
 * <p>The legs are named as in Jetty's proxy: {@code clientRequest} (client -> proxy),
 * {@code proxyRequest} (proxy -> server), {@code serverResponse} (server -> proxy),
 * {@code clientResponse} (proxy -> client).
 */
final class Forwarder {
  /** The request attribute naming the backend used, for {@code %{tether.upstream}r}. */
  static final String UPSTREAM_ATTRIBUTE = "tether.upstream";

  /**
   * Request headers not copied as they come: Host is written first (RFC 9112 section 3.2 asks
   * for it there), Content-Length is the upstream client's to write, Expect is answered by
   * Tomcat, X-Forwarded-* are rewritten, Cookie is joined into one.
   */
  private static final Set<String> REWRITTEN = Set.of(
      "host", "content-length", "expect", "x-forwarded-for", "x-forwarded-proto",
      "x-forwarded-host", "cookie");

  private static final Log log = LogFactory.getLog(Forwarder.class);
  private static final StringManager strings = StringManager.getManager(Forwarder.class);

  private final Balancer balancer;
  private final UpstreamClient client;

  private Forwarder(Balancer balancer, UpstreamClient client) {
    this.balancer = balancer;
    this.client = client;
  }

  /**
   * A forwarder with its own connection pool. The valve's {@code requestTimeout} is the client's
   * response timeout: the wait for a response head once the request is sent. A response body has
   * no timeout, so a slow stream (server-sent events) is never cut.
   */
  static Forwarder create(Balancer balancer, ValveOptions options) {
    UpstreamClient client = new UpstreamClient(UpstreamOptions.DEFAULTS.withTimeouts(
        options.connectTimeout(), options.requestTimeout()));
    return new Forwarder(balancer, client);
  }

  Balancer balancer() {
    return balancer;
  }

  /**
   * Closes the pooled backend connections and stops the balancer's background work (discovery,
   * health checks, ejection sweeps, JMX). Exchanges still running finish on their connections,
   * which are then closed rather than pooled.
   */
  void close() {
    try {
      client.close();
    } finally {
      balancer.close();
    }
  }

  /** Handles one client request entirely: the client response is complete when it returns. */
  void forward(Request clientRequest, Response clientResponse) throws IOException {
    TomcatRequestView view = new TomcatRequestView(clientRequest);
    ClientBody clientBody = ClientBody.of(clientRequest);
    Decision decision = balancer.route(view);
    UpstreamRequest proxyRequest = null;
    for (int retries = 0; ; retries++) {
      if (!decision.routed()) {
        reply(clientResponse, 503, "no healthy upstream");
        return;
      }
      Endpoint endpoint = decision.endpoint();
      clientRequest.setAttribute(UPSTREAM_ATTRIBUTE, endpoint.address());
      if (proxyRequest == null) {
        // One proxy request for every attempt: nothing in it depends on the backend (a missing
        // Host is the client's to add per connection), and it knows whether its body was read.
        String target = RequestTargets.forBackend(view.pathAndQuery());
        if (target == null) {
          reply(clientResponse, 400, "bad request target");
          return;
        }
        proxyRequest = proxyRequest(clientRequest, view, target, clientBody);
      }
      balancer.requestStarted(endpoint);
      UpstreamResponse serverResponse;
      try {
        serverResponse = client.send(endpoint.host(), endpoint.port(), proxyRequest);
      } catch (UpstreamException failure) {
        balancer.requestFinished(endpoint, 0);
        if (failure.kind() == UpstreamException.Kind.CONNECT) {
          boolean retry = mayRetry(view, decision, proxyRequest, 0, retries);
          if (log.isDebugEnabled()) {
            log.debug(strings.getString(
                "forwarder.connectFailed", endpoint.address(), failure.toString(), retry));
          }
          if (!retry) {
            reply(clientResponse, 503, "upstream connect error");
            return;
          }
          decision = balancer.retry(view, decision);
          continue;
        }
        if (failure.kind() == UpstreamException.Kind.TIMEOUT) {
          reply(clientResponse, 504, "upstream request timeout");
          return;
        }
        // A reset or a broken answer after the connection was made (or the client's body
        // failing): the request may have reached the backend, and Istio's default retry policy
        // does not retry resets, so neither does the valve.
        if (log.isDebugEnabled()) {
          log.debug(strings.getString(
              "forwarder.exchangeFailed", endpoint.address(), failure.toString()));
        }
        reply(clientResponse, 502, "upstream reset before response");
        return;
      } catch (IllegalArgumentException badTarget) {
        // The client refuses a target with a control character or space; RequestTargets encodes
        // those, so this is a last line of defence.
        balancer.requestFinished(endpoint, 0);
        reply(clientResponse, 400, "bad request target");
        return;
      }
      try (serverResponse) {
        int status = serverResponse.status();
        balancer.requestFinished(endpoint, status);
        if (mayRetry(view, decision, proxyRequest, status, retries)) {
          // A retriable status (Istio: 503) and nothing sent to the client yet: drop this answer
          // (closing it unread closes its connection).
          decision = balancer.retry(view, decision);
          continue;
        }
        relay(clientResponse, decision, endpoint, serverResponse);
      }
      return;
    }
  }

  /**
   * The balancer's retry policy decides; the valve adds what only it knows: a request body the
   * upstream client has started reading cannot be sent again.
   */
  private boolean mayRetry(TomcatRequestView view, Decision decision,
      UpstreamRequest proxyRequest, int status, int retries) {
    return !proxyRequest.bodyTouched() && balancer.shouldRetry(view, decision, status, retries);
  }

  private static UpstreamRequest proxyRequest(
      Request clientRequest, TomcatRequestView view, String target, ClientBody clientBody) {
    UpstreamRequest proxyRequest = new UpstreamRequest(clientRequest.getMethod(), target);
    // The client's Host as it is, as Envoy sends it; without one the upstream client writes the
    // backend's address.
    String host = clientRequest.getHeader("host");
    proxyRequest.header("Host", host);
    Set<String> connectionListed = HopByHop.connectionListed(view.headers("connection"));
    // Tomcat's own header list: every field once, in the client's order (the servlet API's
    // names-then-values enumerations would rescan the list per name and regroup repeats).
    MimeHeaders fields = clientRequest.getCoyoteRequest().getMimeHeaders();
    for (int i = 0, n = fields.size(); i < n; i++) {
      String name = fields.getName(i).toString();
      String lower = name.toLowerCase(Locale.ROOT);
      if (HopByHop.isHopByHop(lower, connectionListed) || REWRITTEN.contains(lower)) {
        continue;
      }
      proxyRequest.header(name, fields.getValue(i).toString());
    }
    List<String> cookies = view.headers("cookie");
    if (!cookies.isEmpty()) {
      // HTTP/2 clients split cookies over several fields; HTTP/1.1 allows one (RFC 9113 8.2.3).
      proxyRequest.header("Cookie", String.join("; ", cookies));
    }
    String clientIp = view.remoteAddress();
    List<String> forwardedFor = view.headers("x-forwarded-for");
    proxyRequest.header("X-Forwarded-For", forwardedFor.isEmpty()
        ? clientIp : String.join(", ", forwardedFor) + ", " + clientIp);
    proxyRequest.header("X-Forwarded-Proto", clientRequest.getScheme());
    proxyRequest.header("X-Forwarded-Host", host);
    // Content-Length or chunked framing is the upstream client's to write from this length.
    return proxyRequest.body(clientBody.stream(), clientBody.length());
  }

  private void relay(Response clientResponse, Decision decision, Endpoint endpoint,
      UpstreamResponse serverResponse) {
    clientResponse.setStatus(serverResponse.status());
    copyResponseHeaders(serverResponse, clientResponse);
    for (ResponseHeader header : balancer.responseHeaders(decision, endpoint)) {
      if (header.replace()) {
        clientResponse.setHeader(header.name(), header.value());
      } else {
        clientResponse.addHeader(header.name(), header.value());
      }
    }
    copyBody(serverResponse, clientResponse, endpoint);
  }

  private static void copyResponseHeaders(
      UpstreamResponse serverResponse, Response clientResponse) {
    Set<String> connectionListed = HopByHop.connectionListed(serverResponse.values("connection"));
    boolean contentType = false;
    for (int i = 0, n = serverResponse.fieldCount(); i < n; i++) {
      String name = serverResponse.name(i);
      String lower = name.toLowerCase(Locale.ROOT);
      if (HopByHop.isHopByHop(lower, connectionListed) || lower.equals("content-length")) {
        continue;
      }
      if (lower.equals("content-type")) {
        if (!contentType) {
          // Verbatim: Response.setContentType would re-serialize the charset parameter.
          clientResponse.getCoyoteResponse().setContentTypeNoCharset(serverResponse.value(i));
          contentType = true;
        }
      } else {
        // Set-Cookie and every other field pass through untouched, one field per value.
        clientResponse.addHeader(name, serverResponse.value(i));
      }
    }
    long length = contentLength(serverResponse);
    if (length >= 0) {
      clientResponse.setContentLengthLong(length);
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
      UpstreamResponse serverResponse, Response clientResponse, Endpoint endpoint) {
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
      abort(clientResponse, endpoint, serverFailure);
    } catch (IOException clientGone) {
      // The client closed its connection: closing the server response, its body unread, closes
      // the backend connection and so ends the exchange.
    }
  }

  /**
   * The server failed mid-response. Before anything was sent the client gets a 502; after, the
   * connection is closed at once, so a truncated body is never mistaken for a complete one (a
   * normal end would write the last chunk).
   */
  private static void abort(Response clientResponse, Endpoint endpoint, IOException failure) {
    if (log.isDebugEnabled()) {
      log.debug(strings.getString("forwarder.bodyFailed", endpoint.address(), failure.toString()));
    }
    if (!clientResponse.isCommitted()) {
      try {
        reply(clientResponse, 502, "upstream reset during response");
      } catch (IOException clientGone) {
        // Nothing more can be sent.
      }
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
}
