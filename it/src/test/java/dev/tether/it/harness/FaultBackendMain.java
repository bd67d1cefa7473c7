package dev.tether.it.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The fault suite's backend program, run as its own process by {@link FaultBackend}: the JDK's
 * HTTP server on 127.0.0.1 with the few routes the faults need, which the demo backend does not
 * have. It binds the port it is given (0 for any), so that a restart can come back on the same
 * one, and prints {@code listening 127.0.0.1:<port>} once it accepts connections.
 *
 * <ul>
 *   <li>{@code GET /hello}: {@code hello from <name>};
 *   <li>{@code POST /deliver} with {@code x-request-id}: reads the body, prints
 *       {@code delivered <id>} to standard output (a log file: the line is written before the
 *       answer, so it survives a kill -9 that follows), answers 200;
 *   <li>{@code GET /bytes/<n>}: {@code n} bytes, written 64 KiB at a time;
 *   <li>{@code POST /sink/<seconds>}: reads nothing of the body for that many seconds, then
 *       answers 200 with no body (the server then discards what is left);
 *   <li>{@code GET /delay/<millis>}: answers after that long.
 * </ul>
 *
 * <p>Every response carries {@code x-backend-instance: <name>}. SIGTERM lets exchanges in flight
 * finish for up to a second, as an orderly restart would.
 */
public final class FaultBackendMain {

  static final String INSTANCE_HEADER = "x-backend-instance";
  static final String REQUEST_ID_HEADER = "x-request-id";
  static final String DELIVERED = "delivered ";

  private static final int CHUNK = 64 * 1024;

  private FaultBackendMain() {}

  /** {@code --port <port> --name <name>}. */
  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(argument(args, "--port"));
    String name = argument(args, "--name");
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create();
    server.bind(new InetSocketAddress(Loopback.IPV4, port), 128);
    // A thread per exchange: /sink and /delay hold theirs on purpose.
    ExecutorService threads = Executors.newCachedThreadPool();
    server.setExecutor(threads);
    server.createContext("/", exchange -> handle(exchange, name, out));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(1);
      threads.shutdownNow();
    }));
    server.start();
    out.println("listening 127.0.0.1:" + server.getAddress().getPort());
  }

  private static void handle(HttpExchange exchange, String name, PrintStream out)
      throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set(INSTANCE_HEADER, name);
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/hello")) {
        answer(exchange, 200, ("hello from " + name + "\n").getBytes(StandardCharsets.UTF_8));
      } else if (path.equals("/deliver") && exchange.getRequestMethod().equals("POST")) {
        exchange.getRequestBody().readAllBytes();
        String id = exchange.getRequestHeaders().getFirst(REQUEST_ID_HEADER);
        out.println(DELIVERED + id);
        answer(exchange, 200, ("delivered " + id + "\n").getBytes(StandardCharsets.UTF_8));
      } else if (path.startsWith("/bytes/")) {
        long length = Long.parseLong(path.substring("/bytes/".length()));
        exchange.sendResponseHeaders(200, length);
        byte[] chunk = new byte[CHUNK];
        try (OutputStream body = exchange.getResponseBody()) {
          for (long left = length; left > 0; left -= CHUNK) {
            body.write(chunk, 0, (int) Math.min(CHUNK, left));
          }
        }
      } else if (path.startsWith("/sink/")) {
        sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(path.substring("/sink/".length()))));
        answer(exchange, 200, new byte[0]);
      } else if (path.startsWith("/delay/")) {
        sleep(Long.parseLong(path.substring("/delay/".length())));
        answer(exchange, 200, ("delayed " + name + "\n").getBytes(StandardCharsets.UTF_8));
      } else {
        drain(exchange.getRequestBody());
        answer(exchange, 404, new byte[0]);
      }
    } catch (RuntimeException e) {
      out.println("failed: " + e);
    }
  }

  private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void drain(InputStream body) throws IOException {
    body.transferTo(OutputStream.nullOutputStream());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String argument(String[] args, String name) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    throw new IllegalArgumentException(name + ": missing (expected: --port <port> --name <name>)");
  }
}
