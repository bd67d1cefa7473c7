package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request circuit breaking queues holds none of Jetty's threads, in the handler and in the
 * servlet: with two requests admitted (their backend stalled mid-body) and two queued, no thread
 * is inside Tether's code; once the backend goes on, all four are served. (The Tomcat valve waits
 * on its request thread by design, so this is the Jetty module's own test, not the contract's.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class QueuedRequestThreadsTest {
  private static final int BYTES = 400_000;

  @ParameterizedTest
  @ValueSource(strings = {"handler", "servlet"})
  void queuedRequestsHoldNoThreadAndAreServedOnceSlotsFree(String frontEnd) throws Exception {
    try (Backend backend = new Backend()) {
      CountDownLatch gate = new CountDownLatch(1);
      backend.downloadGate = gate;
      Map<String, String> keys = Map.of("endpoints", backend.address(),
          "tcp.maxConnections", "2", "http.http1MaxPendingRequests", "2",
          "name", "queued-" + frontEnd);
      Server server = frontEnd.equals("handler") ? handler(keys) : servlet(keys);
      try {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/download?bytes=" + BYTES))
            .timeout(Duration.ofSeconds(30)).build();
        List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }
        // The fifth to arrive finds two admitted and two queued: it alone is refused at once.
        CompletableFuture<Object> refused = CompletableFuture.anyOf(answers.toArray(
            new CompletableFuture<?>[0]));
        HttpResponse<?> first = (HttpResponse<?>) refused.get(20, TimeUnit.SECONDS);
        assertThat(first.statusCode()).as("the first answer is the overflow").isEqualTo(503);
        assertThat(new String((byte[]) first.body(), StandardCharsets.UTF_8))
            .endsWith("reset reason: overflow");

        List<String> busy = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
          busy = threadsInTether();
        } while (!busy.isEmpty() && System.nanoTime() < deadline);
        assertThat(busy).as("threads inside Tether while 2 requests are queued").isEmpty();

        gate.countDown();
        int served = 0;
        for (CompletableFuture<HttpResponse<byte[]>> answer : answers) {
          HttpResponse<byte[]> response = answer.get(20, TimeUnit.SECONDS);
          if (response.statusCode() == 200) {
            assertThat(response.body()).hasSize(BYTES);
            served++;
          }
        }
        assertThat(served).as("two at once, then the two that waited").isEqualTo(4);
      } finally {
        server.stop();
      }
    }
  }

  private static Server handler(Map<String, String> keys) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(TetherProxyHandler.fromProperties(keys, Path.of("")));
    server.start();
    return server;
  }

  private static Server servlet(Map<String, String> keys) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletHolder proxy = new ServletHolder(TetherProxyServlet.class);
    keys.forEach((key, value) -> proxy.setInitParameter("tether." + key, value));
    proxy.setAsyncSupported(true);
    proxy.setInitOrder(1);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(proxy, "/*");
    server.setHandler(context);
    server.start();
    return server;
  }

  /** Live threads with a frame of Tether's request path (the exchange or the Jetty front end). */
  private static List<String> threadsInTether() {
    List<String> found = new ArrayList<>();
    for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
      for (StackTraceElement frame : entry.getValue()) {
        String type = frame.getClassName();
        if (type.startsWith("dev.tether.exchange.") || type.startsWith("dev.tether.jetty.TetherProxy")
            || type.startsWith("dev.tether.jetty.Admission")) {
          found.add(entry.getKey().getName() + " at " + frame);
          break;
        }
      }
    }
    return found;
  }
}
