package dev.tether.demo;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A demo backend in the spirit of Istio's {@code helloworld} sample, with a few httpbin routes so
 * proxy tests have something to observe. Plain JDK {@link HttpServer}: no dependency, starts in
 * milliseconds, runs in-process (the one-command demo starts six) or as its own process:
 *
 * <pre>
 * java -cp tether-demo.jar dev.tether.demo.Backend --port 0 --name helloworld-v1-1 --version v1
 * </pre>
 *
 * <p>The process prints exactly one line, {@code listening <host>:<port>}, once it accepts
 * connections, and serves until killed; SIGTERM stops it at once.
 *
 * <p>Routes (every response carries {@code x-backend-instance: <name>}):
 *
 * <ul>
 *   <li>{@code GET /hello}: {@code Hello version: v1, instance: <name>} and a newline, the line
 *       Istio's walkthrough greps for;
 *   <li>{@code /status/<code>}: answers that status (200 to 599) with an empty body;
 *   <li>{@code /headers}, {@code /cookies}: the request's headers or cookies as JSON, as httpbin;
 *   <li>{@code /delay/<seconds>}: answers after that many seconds (fractions allowed, at most
 *       {@value #MAX_DELAY_SECONDS});
 *   <li>{@code /anything[/...]}: streams the request body back, any method, same content type;
 *   <li>{@code /health}: {@code ok}.
 * </ul>
 */
public final class Backend implements AutoCloseable {

  /** The longest {@code /delay} honoured, as httpbin caps it, so a test cannot pin a thread. */
  public static final int MAX_DELAY_SECONDS = 10;

  /** The header naming the instance that answered, on every response. */
  public static final String INSTANCE_HEADER = "x-backend-instance";

  /** Istio's helloworld listens on 5000; so does the backend image. */
  static final int DEFAULT_PORT = 5000;

  /**
   * Threads serving requests. The JDK default executor runs every exchange on the dispatcher
   * thread, so one {@code /delay} would stall the whole backend; a small pool keeps others going.
   */
  private static final int THREADS = 16;

  static {
    // The JDK server writes a response's headers and body separately and, by default, without
    // TCP_NODELAY: Nagle's algorithm then meets the client's delayed ACK and every small reply
    // through a proxy takes about 40 ms. The property is read once, when the first server is
    // created, so it is set before that (unless the user chose a value).
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final String name;
  private final String version;
  private final HttpServer server;
  private final ExecutorService executor;

  private Backend(String name, String version, HttpServer server, ExecutorService executor) {
    this.name = name;
    this.version = version;
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts a backend.
   *
   * @param host address to bind, for example {@code 127.0.0.1} or {@code 0.0.0.0}
   * @param port port to bind; 0 picks a free one
   * @param name instance name, echoed by {@code /hello} and {@code x-backend-instance}
   * @param version version label, echoed by {@code /hello}
   * @throws BindException when the port is taken
   */
  public static Backend start(String host, int port, String name, String version)
      throws IOException {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
    ExecutorService executor = newExecutor(name);
    Backend backend = new Backend(name, version, server, executor);
    server.createContext("/", backend::handle);
    server.setExecutor(executor);
    server.start();
    return backend;
  }

  private static ExecutorService newExecutor(String name) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new Thread(task, "backend-" + name + "-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /** The instance name. */
  public String name() {
    return name;
  }

  /** The version label. */
  public String version() {
    return version;
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The bound address as {@code ip:port} ({@code [ipv6]:port}), as session values carry it. */
  public String address() {
    InetSocketAddress bound = server.getAddress();
    String ip = bound.getAddress().getHostAddress();
    int zone = ip.indexOf('%');
    if (zone >= 0) {
      ip = ip.substring(0, zone);
    }
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + bound.getPort();
  }

  /** Stops at once: open exchanges are cut, as a killed process would cut them. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set(INSTANCE_HEADER, name);
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/anything") || path.startsWith("/anything/")) {
        echo(exchange);
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "method not allowed\n");
      } else if (path.equals("/hello")) {
        send(exchange, 200, "Hello version: " + version + ", instance: " + name + "\n");
      } else if (path.equals("/health")) {
        send(exchange, 200, "ok");
      } else if (path.equals("/headers")) {
        sendJson(exchange, Json.object("headers", headers(exchange.getRequestHeaders())));
      } else if (path.equals("/cookies")) {
        sendJson(exchange, Json.object("cookies", cookies(exchange.getRequestHeaders())));
      } else if (path.startsWith("/status/")) {
        status(exchange, path.substring("/status/".length()));
      } else if (path.startsWith("/delay/")) {
        delay(exchange, path.substring("/delay/".length()));
      } else {
        send(exchange, 404, "not found: " + path + "\n");
      }
    }
  }

  private static void status(HttpExchange exchange, String code) throws IOException {
    int status;
    try {
      status = Integer.parseInt(code);
    } catch (NumberFormatException e) {
      status = -1;
    }
    if (status < 200 || status > 599) {
      send(exchange, 400, "status: " + code + " (expected: 200 to 599)\n");
      return;
    }
    exchange.sendResponseHeaders(status, -1);
  }

  private static void delay(HttpExchange exchange, String seconds) throws IOException {
    double requested;
    try {
      requested = Double.parseDouble(seconds);
    } catch (NumberFormatException e) {
      requested = Double.NaN;
    }
    if (!(requested >= 0)) {
      send(exchange, 400, "delay: " + seconds + " (expected: seconds >= 0)\n");
      return;
    }
    double granted = Math.min(requested, MAX_DELAY_SECONDS);
    try {
      // The delay is the feature here, not a wait for some state.
      Thread.sleep((long) (granted * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // stopping: drop the exchange
    }
    sendJson(exchange, "{\n  \"delay\": " + granted + "\n}\n");
  }

  /**
   * Streams the request body back with the same content type: a fixed length when the client
   * sent one, chunked otherwise, never the whole body in memory.
   */
  private static void echo(HttpExchange exchange) throws IOException {
    Headers request = exchange.getRequestHeaders();
    String contentType = request.getFirst("Content-Type");
    if (contentType != null) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
    }
    long length = contentLength(request);
    if (exchange.getRequestMethod().equals("HEAD") || length == 0) {
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    exchange.sendResponseHeaders(200, length > 0 ? length : 0);
    try (InputStream in = exchange.getRequestBody();
        OutputStream out = exchange.getResponseBody()) {
      byte[] buffer = new byte[8192];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        out.write(buffer, 0, read);
        out.flush();
      }
    }
  }

  /** The request's Content-Length, or -1 when absent or chunked. */
  private static long contentLength(Headers request) {
    if (request.containsKey("Transfer-Encoding")) {
      return -1;
    }
    String value = request.getFirst("Content-Length");
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Header names in their usual capitalisation ({@code X-Forwarded-For}), values joined by ','. */
  static Map<String, String> headers(Headers request) {
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<String, List<String>> header : request.entrySet()) {
      headers.put(capitalise(header.getKey()), String.join(",", header.getValue()));
    }
    return headers;
  }

  private static String capitalise(String name) {
    char[] chars = name.toLowerCase(Locale.ROOT).toCharArray();
    boolean start = true;
    for (int i = 0; i < chars.length; i++) {
      if (start) {
        chars[i] = Character.toUpperCase(chars[i]);
      }
      start = chars[i] == '-';
    }
    return new String(chars);
  }

  /** Every {@code name=value} pair of every Cookie header; the first of a repeated name wins. */
  static Map<String, String> cookies(Headers request) {
    Map<String, String> cookies = new TreeMap<>();
    for (String header : request.getOrDefault("Cookie", List.of())) {
      for (String pair : header.split(";")) {
        int equals = pair.indexOf('=');
        if (equals > 0) {
          cookies.putIfAbsent(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
      }
    }
    return cookies;
  }

  private static void sendJson(HttpExchange exchange, String json) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    write(exchange, 200, json);
  }

  private static void send(HttpExchange exchange, int status, String text) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    write(exchange, status, text);
  }

  private static void write(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Runs one backend until the process is killed.
   *
   * <p>Options: {@code --port} (default 5000, 0 for a free port), {@code --host} (default
   * 127.0.0.1; the container image passes 0.0.0.0), {@code --name} (default: the host name, so
   * each replica of a scaled compose service names itself), {@code --version} (default v1).
   * Exit codes: 1 when the port is taken, 2 for bad options.
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args, List.of("--port", "--host", "--name", "--version"), List.of());
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(usage());
      return 2;
    }
    if (options.flag("--help")) {
      out.println(usage());
      return 0;
    }
    String host = options.value("--host", "127.0.0.1");
    String name = options.value("--name", defaultName());
    String version = options.value("--version", "v1");
    int port;
    try {
      port = options.port("--port", DEFAULT_PORT);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    Backend backend;
    try {
      backend = start(host, port, name, version);
    } catch (BindException e) {
      err.println("cannot listen on " + host + ":" + port + ": " + e.getMessage()
          + " (choose another with --port, or --port 0 for a free one)");
      return 1;
    } catch (IOException | UncheckedIOException e) {
      err.println("cannot listen on " + host + ":" + port + ": " + e);
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "backend-shutdown"));
    out.println("listening " + backend.address());
    out.flush();
    // The HTTP dispatcher is not a daemon thread: the process lives until killed.
    return awaitForever();
  }

  private static int awaitForever() {
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static String defaultName() {
    String hostname = System.getenv("HOSTNAME");
    if (hostname != null && !hostname.isBlank()) {
      return hostname;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "backend";
    }
  }

  private static String usage() {
    return String.join("\n",
        "usage: java -cp tether-demo.jar dev.tether.demo.Backend [options]",
        "  --port N       port to listen on (default " + DEFAULT_PORT + "; 0 = any free port)",
        "  --host ADDR    address to bind (default 127.0.0.1)",
        "  --name NAME    instance name in replies and x-backend-instance (default: host name)",
        "  --version V    version label in /hello replies (default v1)",
        "Prints 'listening <host>:<port>' once ready; serves until killed.");
  }
}
