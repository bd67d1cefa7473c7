package dev.tether.jetty.measure;

import dev.tether.Tether;
import dev.tether.jetty.TetherProxyHandler;
import dev.tether.jetty.TetherProxyServlet;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The measurement behind the choice of Jetty's core {@link ProxyHandler} over the ee10
 * {@link ProxyServlet} family: one backend, one proxy, a closed-loop load of concurrent GETs,
 * requests per second and latency percentiles for each proxy flavour. Not a test and not run in
 * CI (numbers on a shared machine are indicative only); run it by hand:
 *
 * <pre>
 * cd jetty-module
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt
 * java -Dorg.eclipse.jetty.LEVEL=WARN -cp "$(cat target/test-cp.txt):target/classes:target/test-classes" \
 *     dev.tether.jetty.measure.ProxyChoiceMeasurement [seconds] [concurrency] [bodyBytes] [rounds]
 * </pre>
 */
public final class ProxyChoiceMeasurement {
  private ProxyChoiceMeasurement() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int bodyBytes = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;

    Server backend = new Server();
    ServerConnector backendConnector = new ServerConnector(backend);
    backendConnector.setHost("127.0.0.1");
    backend.addConnector(backendConnector);
    ByteBuffer body = ByteBuffer.wrap(new byte[bodyBytes]);
    backend.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(200);
        response.write(true, body.slice(), callback);
        return true;
      }
    });
    backend.start();
    String target = "127.0.0.1:" + backendConnector.getLocalPort();

    Map<String, Supplier<Handler>> proxies = new java.util.LinkedHashMap<>();
    proxies.put("core ProxyHandler.Reverse", () -> new ProxyHandler.Reverse(
        request -> HttpURI.build(request.getHttpURI()).scheme("http").host("127.0.0.1")
            .port(backendConnector.getLocalPort())));
    proxies.put("ee10 ProxyServlet.Transparent", () -> servlet(
        new ServletHolder(ProxyServlet.Transparent.class), "http://" + target));
    proxies.put("ee10 AsyncProxyServlet.Transparent", () -> servlet(
        new ServletHolder(AsyncProxyServlet.Transparent.class), "http://" + target));
    proxies.put("TetherProxyHandler", () ->
        TetherProxyHandler.fromProperties(Map.of("endpoints", target), java.nio.file.Path.of("")));
    proxies.put("TetherProxyServlet", () -> servlet(new ServletHolder(new TetherProxyServlet(
        Tether.balancer(Tether.parseConfig(Map.of("endpoints", target))))), null));

    HttpClient client = new HttpClient();
    client.setMaxConnectionsPerDestination(concurrency);
    client.start();
    System.out.printf("%d rounds; %d s per proxy after %d s warm-up, %d concurrent GETs,"
        + " %d-byte bodies%n", rounds, seconds, Math.max(2, seconds / 2), concurrency, bodyBytes);
    try {
      // Round 1 mostly warms the JIT for the code all flavours share; compare later rounds.
      for (int round = 1; round <= rounds; round++) {
      System.out.println("round " + round);
      for (Map.Entry<String, Supplier<Handler>> proxy : proxies.entrySet()) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(proxy.getValue().get());
        server.start();
        try {
          String url = "http://127.0.0.1:" + connector.getLocalPort() + "/bench?q=1";
          run(client, url, concurrency, Math.max(2, seconds / 2));
          Result result = run(client, url, concurrency, seconds);
          System.out.printf("%-36s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d%n",
              proxy.getKey(), result.perSecond, result.p50Ms, result.p99Ms, result.errors);
        } finally {
          server.stop();
        }
      }
      }
    } finally {
      client.stop();
      backend.stop();
    }
  }

  private static Handler servlet(ServletHolder holder, String proxyTo) {
    ServletContextHandler context = new ServletContextHandler("/");
    if (proxyTo != null) {
      holder.setInitParameter("proxyTo", proxyTo);
    }
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    return context;
  }

  private record Result(double perSecond, double p50Ms, double p99Ms, long errors) {}

  private static Result run(HttpClient client, String url, int concurrency, int seconds)
      throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong errors = new AtomicLong();
    long[] latencies = new long[4_000_000];
    AtomicInteger count = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      loop(client, url, running, errors, latencies, count, done);
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    running.set(false);
    done.await(30, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    int n = Math.min(count.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    return new Result(n / elapsed, sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6,
        errors.get());
  }

  private static void loop(HttpClient client, String url, AtomicBoolean running,
      AtomicLong errors, long[] latencies, AtomicInteger count, CountDownLatch done) {
    if (!running.get()) {
      done.countDown();
      return;
    }
    long begin = System.nanoTime();
    client.newRequest(url).send(result -> {
      if (result.isFailed() || result.getResponse().getStatus() != 200) {
        errors.incrementAndGet();
      } else {
        int i = count.getAndIncrement();
        if (i < latencies.length) {
          latencies[i] = System.nanoTime() - begin;
        }
      }
      loop(client, url, running, errors, latencies, count, done);
    });
  }
}
