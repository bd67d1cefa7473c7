package dev.tether.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A demo backend in the spirit of Istio's {@code helloworld} sample, with a few httpbin routes so
 * proxy tests have something to observe, and a WebSocket echo. It runs in-process (the
 * one-command demo starts six) or as its own process:
 *
 * <pre>
 * java -cp tether-demo.jar dev.tether.demo.Backend --port 0 --name helloworld-v1-1 --version v1
 * </pre>
 *
 * <p>The process prints exactly one line, {@code listening <host>:<port>}, once it accepts
 * connections, and serves until killed; SIGTERM stops it at once.
 *
 * <p>It is a Jetty 12 core server (no servlet layer) because the JDK {@code HttpServer} it used to
 * be cannot hand a connection over to another protocol, and a WebSocket backend is what a proxy's
 * upgrade path needs to be tested against. Every route is non-blocking: a {@code /delay} or
 * {@code /stall} waits on Jetty's scheduler, never on a thread, so slow requests cannot starve the
 * others.
 *
 * <p>Routes (every response carries {@code x-backend-instance: <name>}, the WebSocket handshake's
 * {@code 101} included):
 *
 * <ul>
 *   <li>{@code GET /hello}: {@code Hello version: v1, instance: <name>} and a newline, the line
 *       Istio's walkthrough greps for;
 *   <li>{@code /status/<code>}: answers that status (200 to 599) with an empty body;
 *   <li>{@code /headers}, {@code /cookies}: the request's headers or cookies as JSON, as httpbin;
 *   <li>{@code /delay/<seconds>}: answers after that many seconds (fractions allowed, at most
 *       {@value #MAX_DELAY_SECONDS});
 *   <li>{@code /anything[/...]}: streams the request body back, any method, same content type;
 *   <li>{@code /health}: {@code ok};
 *   <li>{@code GET /echo} with {@code Upgrade: websocket}: a WebSocket on which every text message
 *       comes back as {@code <name>: <message>} and every binary message as it is; without the
 *       upgrade, {@code 426};
 *   <li>{@code /reset}: reads the request head, then resets the connection without a byte of
 *       response, as a crashing backend would (Envoy: "reset before headers");
 *   <li>{@code /stall/<seconds>}: sends the response head and the first line of a two-line body
 *       at once, then nothing for that many seconds (at most {@value #MAX_DELAY_SECONDS}), then
 *       the second line: what a proxy's idle timeout is there to cut.
 * </ul>
 */
public final class Backend implements AutoCloseable {

  /** The longest {@code /delay} or {@code /stall} honoured, as httpbin caps it. */
  public static final int MAX_DELAY_SECONDS = 10;

  /** The header naming the instance that answered, on every response. */
  public static final String INSTANCE_HEADER = "x-backend-instance";

  /** Istio's helloworld listens on 5000; so does the backend image. */
  static final int DEFAULT_PORT = 5000;

  /**
   * Most threads serving requests. No route blocks a thread (waits are scheduled, bodies stream
   * asynchronously), so a few suffice even for many slow requests; six backends in one demo
   * process stay light.
   */
  private static final int MAX_THREADS = 24;

  /** The largest request head accepted; far beyond the front ends' own limits. */
  private static final int REQUEST_HEADER_BYTES = 64 * 1024;

  private final String name;
  private final String version;
  private final Server server;
  private final InetSocketAddress bound;

  private Backend(String name, String version, Server server, InetSocketAddress bound) {
    this.name = name;
    this.version = version;
    this.server = server;
    this.bound = bound;
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
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
    threads.setName("backend-" + name);
    threads.setDaemon(true);
    Server server =
        new Server(threads, new ScheduledExecutorScheduler("backend-" + name + "-timer", true),
            null);
    // SIGTERM and close() mean "now", as a killed process: no graceful wait for open requests.
    server.setStopTimeout(0);
    HttpConfiguration http = new HttpConfiguration();
    // As the JDK server it replaces: no Server header, which a proxy would relay as if it were
    // its own, and room for any request head a front end passes (Jetty and Tomcat accept 8 KiB
    // and then add forwarding headers).
    http.setSendServerVersion(false);
    http.setRequestHeaderSize(REQUEST_HEADER_BYTES);
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setAcceptQueueSize(128);
    // Jetty's default too, stated because it matters: without TCP_NODELAY, Nagle's algorithm
    // meets the proxy's delayed ACK and every small keep-alive reply waits ~40 ms.
    connector.setAcceptedTcpNoDelay(true);
    server.addConnector(connector);
    BackendRoutes routes = new BackendRoutes(name, version);
    WebSocketUpgradeHandler webSockets = WebSocketUpgradeHandler.from(server, container ->
        container.addMapping(BackendRoutes.ECHO_PATH,
            (upgradeRequest, upgradeResponse, callback) -> new EchoSocket(name)));
    webSockets.setHandler(routes);
    server.setHandler(new InstanceHeader(name, webSockets));
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      if (PortInUseException.isBindFailure(e)) {
        BindException bind = new BindException(e.getMessage());
        bind.initCause(e);
        throw bind;
      }
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getMessage(), e);
    }
    // The address asked for (0.0.0.0 stays 0.0.0.0, not the dual-stack socket's [::]) with the
    // port actually bound.
    InetSocketAddress bound =
        new InetSocketAddress(InetAddress.getByName(host), connector.getLocalPort());
    return new Backend(name, version, server, bound);
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
    return bound.getPort();
  }

  /** The bound address as {@code ip:port} ({@code [ipv6]:port}), as session values carry it. */
  public String address() {
    String ip = bound.getAddress().getHostAddress();
    int zone = ip.indexOf('%');
    if (zone >= 0) {
      ip = ip.substring(0, zone);
    }
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + bound.getPort();
  }

  /** Stops at once: open exchanges and sockets are cut, as a killed process would cut them. */
  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping is best effort; the process may be on its way out.
    }
  }

  /**
   * Names the instance on every response, before any route or the WebSocket handshake runs, so
   * the handshake's {@code 101} and Jetty's own error responses carry it too.
   */
  private static final class InstanceHeader extends Handler.Wrapper {
    private final String name;

    InstanceHeader(String name, Handler next) {
      super(next);
      this.name = name;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      response.getHeaders().put(INSTANCE_HEADER, name);
      return super.handle(request, response, callback);
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
    // Jetty logs its start-up at INFO on stderr; the one line this process prints is the
    // "listening" line. A -D on the command line still wins.
    System.getProperties().putIfAbsent("org.eclipse.jetty.LEVEL", "WARN");
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
      err.println("cannot listen on " + host + ":" + port + ": address already in use"
          + " (choose another with --port, or --port 0 for a free one)");
      return 1;
    } catch (IOException | UncheckedIOException e) {
      err.println("cannot listen on " + host + ":" + port + ": " + e);
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "backend-shutdown"));
    out.println("listening " + backend.address());
    out.flush();
    return awaitForever();
  }

  /**
   * Jetty's threads are daemons here, so an in-process backend never holds a JVM open; this
   * thread keeps the process alive until it is killed.
   */
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
