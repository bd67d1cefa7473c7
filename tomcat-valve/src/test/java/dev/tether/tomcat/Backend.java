package dev.tether.tomcat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real backend on 127.0.0.1 (the JDK's HttpServer) that answers with its own name and records
 * every request it receives, so tests can tell where each request went and what arrived.
 *
 * <p>Paths: {@code /echo} lists the request headers in the body; {@code /cookies} sets two
 * cookies; {@code /redirect} answers 302 to {@link #redirectTo}; {@code /upload} consumes the
 * body and answers its length and SHA-256; {@code /download?bytes=N} streams N deterministic
 * bytes; {@code /gated} sends half a body, then waits for {@link #gate}; {@code /die} breaks off
 * mid-body; {@code /slow} waits for {@link #gate} before answering; anything else answers the name
 * (with status {@link #failWith} when set).
 */
final class Backend implements AutoCloseable {
  /** One request as the backend saw it. */
  record Seen(String method, String target, Headers headers) {}

  final String name;
  final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  /** Bytes of {@code /upload} bodies received so far. */
  final AtomicLong uploaded = new AtomicLong();
  /** Released by the test to let {@code /gated} and {@code /slow} go on. */
  final CountDownLatch gate = new CountDownLatch(1);
  volatile String redirectTo = "http://127.0.0.1:1/";
  /** When not 0, the status every plain request gets (say, 503 for an overloaded backend). */
  volatile int failWith;

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "backend");
    thread.setDaemon(true);
    return thread;
  });

  Backend(String name) throws IOException {
    this.name = name;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The address as endpoints and session values spell it. */
  String address() {
    return "127.0.0.1:" + port();
  }

  int requests() {
    return seen.size();
  }

  /** Stops listening and closes every connection; the port then refuses connections. */
  void stop() {
    gate.countDown();
    server.stop(0);
  }

  @Override
  public void close() {
    stop();
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
        exchange.getRequestHeaders()));
    Headers response = exchange.getResponseHeaders();
    response.add("X-Backend", name);
    if (path.equals("/die")) {
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.write(new byte[1000]);
      out.flush();
      // Thrown with the exchange still open, so the server drops the connection mid-body.
      throw new IllegalStateException("backend dies mid-body on purpose");
    }
    try (exchange) {
      switch (path) {
        case "/echo" -> {
          StringBuilder body = new StringBuilder();
          for (Map.Entry<String, List<String>> field : exchange.getRequestHeaders().entrySet()) {
            for (String value : field.getValue()) {
              body.append(field.getKey().toLowerCase()).append(": ").append(value).append('\n');
            }
          }
          exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
          send(exchange, 200, body.toString());
        }
        case "/cookies" -> {
          response.add("Set-Cookie", "a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
          response.add("Set-Cookie", "b=\"x y\"; HttpOnly");
          send(exchange, 200, name);
        }
        case "/redirect" -> {
          response.add("Location", redirectTo);
          send(exchange, 302, "");
        }
        case "/upload" -> {
          MessageDigest sha = sha256();
          byte[] buffer = new byte[64 * 1024];
          long total = 0;
          try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
              sha.update(buffer, 0, n);
              total += n;
              uploaded.addAndGet(n);
            }
          }
          send(exchange, 200, total + " " + HexFormat.of().formatHex(sha.digest()));
        }
        case "/download" -> {
          long bytes = Long.parseLong(exchange.getRequestURI().getQuery().substring(6));
          if (exchange.getRequestMethod().equals("HEAD")) {
            // The JDK server sends no length for HEAD by itself: state the GET's length.
            response.set("Content-Length", Long.toString(bytes));
            exchange.sendResponseHeaders(200, -1);
            return;
          }
          exchange.sendResponseHeaders(200, bytes);
          try (OutputStream out = exchange.getResponseBody()) {
            Bodies.write(out, bytes);
          }
        }
        case "/gated" -> {
          exchange.sendResponseHeaders(200, 0);
          OutputStream out = exchange.getResponseBody();
          out.write("first-half;".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          awaitGate();
          out.write("second-half".getBytes(StandardCharsets.US_ASCII));
          out.close();
        }
        case "/slow" -> {
          awaitGate();
          send(exchange, 200, name);
        }
        default -> {
          exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
          int status = failWith;
          send(exchange, status == 0 ? 200 : status, name);
        }
      }
    }
  }

  private void awaitGate() throws IOException {
    try {
      if (!gate.await(20, TimeUnit.SECONDS)) {
        throw new IOException("gate not opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
