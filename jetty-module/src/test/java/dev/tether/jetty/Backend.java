package dev.tether.jetty;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

/**
 * A real HTTP backend on 127.0.0.1 (the JDK's HttpServer) that says who it is
 * ({@code X-Backend: ip:port}) and remembers the last request's headers.
 *
 * <ul>
 *   <li>{@code /...}: 200, body {@code ip:port}, two Set-Cookie headers and hop-by-hop response
 *       headers a proxy must drop.
 *   <li>{@code /upload}: reads the body as it arrives, answers {@code bytes crc32}; when
 *       {@link #uploadMidpoint} is set, releases it once that many bytes have arrived.
 *   <li>{@code /download?bytes=N}: streams N pattern bytes; when {@link #downloadGate} is set, it
 *       writes half and waits for the gate before writing the rest.
 * </ul>
 */
final class Backend implements AutoCloseable {
  static final String SET_COOKIE_PLAIN = "app=1; Path=/";
  static final String SET_COOKIE_EXPIRES =
      "pref=\"a b\"; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/; HttpOnly";

  static {
    // Without TCP_NODELAY the JDK server's split head/body writes meet delayed ACKs: ~40 ms each.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicReference<Headers> lastRequestHeaders = new AtomicReference<>();
  private final AtomicReference<String> lastRequestTarget = new AtomicReference<>();
  volatile long uploadMidpoint;
  final CountDownLatch uploadMidpointReached = new CountDownLatch(1);
  volatile CountDownLatch downloadGate;
  /** When set, {@code /} answers 503 "down" (a backend shedding load). */
  volatile boolean unavailable;

  Backend() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::hello);
    server.createContext("/upload", this::upload);
    server.createContext("/download", this::download);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** {@code 127.0.0.1:port}, as the balancer prints it. */
  String address() {
    return "127.0.0.1:" + port();
  }

  /** The header-session value naming this backend: Base64 of {@code ip:port}. */
  String sessionHeaderValue() {
    return Base64.getEncoder().encodeToString(address().getBytes(StandardCharsets.UTF_8));
  }

  /** The headers of the last request this backend received; null when none. */
  Headers lastRequestHeaders() {
    return lastRequestHeaders.get();
  }

  /** The request target (raw path and query) of the last request to {@code /}. */
  String lastRequestTarget() {
    return lastRequestTarget.get();
  }

  /** Stops listening and drops open connections: connecting then fails. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void hello(HttpExchange exchange) throws IOException {
    try (exchange) {
      lastRequestHeaders.set(exchange.getRequestHeaders());
      lastRequestTarget.set(exchange.getRequestURI().toString());
      exchange.getRequestBody().readAllBytes();
      Headers headers = exchange.getResponseHeaders();
      if (unavailable) {
        headers.add("X-Backend", address());
        byte[] down = "down".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(503, down.length);
        exchange.getResponseBody().write(down);
        return;
      }
      headers.add("X-Backend", address());
      headers.add("Set-Cookie", SET_COOKIE_PLAIN);
      headers.add("Set-Cookie", SET_COOKIE_EXPIRES);
      // Hop-by-hop fields a proxy must not pass on (RFC 9110 section 7.6.1).
      headers.add("Keep-Alive", "timeout=5");
      headers.add("Proxy-Authenticate", "Basic realm=\"backend\"");
      headers.add("Upgrade", "example/1");
      headers.add("X-Connection-Scoped", "secret");
      headers.add("Connection", "X-Connection-Scoped");
      byte[] body = address().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, "HEAD".equals(exchange.getRequestMethod()) ? -1 : body.length);
      if (!"HEAD".equals(exchange.getRequestMethod())) {
        exchange.getResponseBody().write(body);
      }
    }
  }

  private void upload(HttpExchange exchange) throws IOException {
    try (exchange) {
      lastRequestHeaders.set(exchange.getRequestHeaders());
      CRC32 crc = new CRC32();
      long count = 0;
      byte[] buffer = new byte[65536];
      InputStream in = exchange.getRequestBody();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        crc.update(buffer, 0, n);
        count += n;
        if (uploadMidpoint > 0 && count >= uploadMidpoint) {
          uploadMidpointReached.countDown();
        }
      }
      byte[] body = (count + " " + crc.getValue()).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("X-Backend", address());
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private void download(HttpExchange exchange) throws IOException {
    try (exchange) {
      lastRequestHeaders.set(exchange.getRequestHeaders());
      String query = exchange.getRequestURI().getRawQuery();
      long total = Long.parseLong(query.substring(query.indexOf('=') + 1));
      exchange.getResponseHeaders().add("X-Backend", address());
      exchange.sendResponseHeaders(200, 0); // chunked: length unknown to the proxy up front
      OutputStream out = exchange.getResponseBody();
      CountDownLatch gate = downloadGate;
      byte[] chunk = new byte[65536];
      long written = 0;
      boolean gated = gate == null;
      while (written < total) {
        if (!gated && written >= total / 2) {
          out.flush();
          // The client must see the first half while the second is not yet written.
          if (!gate.await(20, TimeUnit.SECONDS)) {
            return; // exchange closed early: the client sees a short body
          }
          gated = true;
        }
        int n = (int) Math.min(chunk.length, total - written);
        for (int i = 0; i < n; i++) {
          chunk[i] = pattern(written + i);
        }
        out.write(chunk, 0, n);
        written += n;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The byte at {@code offset} of every download. */
  static byte pattern(long offset) {
    return (byte) (offset * 31 + (offset >>> 11));
  }

  /** Convenience for assertions on header values. */
  static List<String> values(Headers headers, String name) {
    List<String> values = headers.get(name);
    return values == null ? List.of() : values;
  }
}
