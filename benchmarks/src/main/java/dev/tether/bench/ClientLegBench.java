package dev.tether.bench;

import dev.tether.client.UpstreamClient;
import dev.tether.client.UpstreamOptions;
import dev.tether.client.UpstreamRequest;
import dev.tether.client.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpEntity;

/**
 * The Tomcat valve's backend leg, measured on its own: the hand-written blocking client the
 * valve uses ({@link UpstreamClient}) against Apache HttpClient 5 (classic API, pooled
 * connections), both against the same real backend, in one JVM that does nothing else, so the
 * process's CPU time is the client's. Issue 12 asks whether a well-kept client with years of
 * framing fixes costs more than a few percent over the hand-written one.
 *
 * <p>{@code --threads} threads (the valve's request threads) each send {@code GET --path} in a
 * loop, the same header fields the valve sends (Host, X-Forwarded-For/-Proto/-Host, a cookie),
 * and read the whole body. Rounds alternate the two clients ({@code --rounds}, each
 * {@code --seconds} long after {@code --warmup} seconds of both); every round prints requests/s,
 * CPU microseconds per request (process CPU time over the round / requests), p50 and p99.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tether.bench.ClientLegBench \
 *     --backend 127.0.0.1:8081 --threads 16 --seconds 15 --rounds 4
 * </pre>
 *
 * {@code benchmarks/load/client-leg.sh} starts an nginx backend and runs this.
 */
public final class ClientLegBench {
  private ClientLegBench() {}

  /** One client under test: sends one request and reads its body. */
  private interface Leg extends AutoCloseable {
    int get() throws IOException;

    @Override
    void close() throws IOException;
  }

  public static void main(String[] args) throws Exception {
    String backend = arg(args, "--backend", "127.0.0.1:8081");
    String path = arg(args, "--path", "/hello");
    int threads = Integer.parseInt(arg(args, "--threads", "16"));
    int seconds = Integer.parseInt(arg(args, "--seconds", "15"));
    int warmup = Integer.parseInt(arg(args, "--warmup", "15"));
    int rounds = Integer.parseInt(arg(args, "--rounds", "4"));
    String host = backend.substring(0, backend.lastIndexOf(':'));
    int port = Integer.parseInt(backend.substring(backend.lastIndexOf(':') + 1));

    try (Leg tether = tether(host, port, path, threads);
        Leg apache = apache(host, port, path, threads)) {
      run("tether-upstream", tether, threads, warmup, false);
      run("apache-httpclient5", apache, threads, warmup, false);
      for (int r = 1; r <= rounds; r++) {
        boolean tetherFirst = r % 2 == 1;
        System.out.println(run(tetherFirst ? "tether-upstream" : "apache-httpclient5",
            tetherFirst ? tether : apache, threads, seconds, true).row(r));
        System.out.println(run(tetherFirst ? "apache-httpclient5" : "tether-upstream",
            tetherFirst ? apache : tether, threads, seconds, true).row(r));
      }
    }
  }

  private static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  private static Leg tether(String host, int port, String path, int threads) {
    UpstreamClient client = new UpstreamClient(UpstreamOptions.DEFAULTS);
    byte[][] sink = new byte[1][];
    return new Leg() {
      @Override
      public int get() throws IOException {
        UpstreamRequest request = new UpstreamRequest("GET", path)
            .header("Host", "app.example")
            .header("Cookie", "sticky=s000001-deadbeef")
            .header("X-Forwarded-For", "127.0.0.1")
            .header("X-Forwarded-Proto", "http")
            .header("X-Forwarded-Host", "app.example");
        try (UpstreamResponse response = client.send(host, port, request, () -> 0L)) {
          response.transferTo((bytes, offset, length, last) -> sink[0] = bytes);
          return response.status();
        }
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  private static Leg apache(String host, int port, String path, int threads) {
    PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder
        .create().setMaxConnPerRoute(threads).setMaxConnTotal(threads).build();
    CloseableHttpClient client = HttpClients.custom()
        .setConnectionManager(connections)
        .disableAutomaticRetries()
        .disableRedirectHandling()
        .disableCookieManagement()
        .disableContentCompression()
        .disableAuthCaching()
        .setUserAgent(null)
        .build();
    String uri = "http://" + host + ":" + port + path;
    byte[] buffer = new byte[8192];
    return new Leg() {
      @Override
      public int get() throws IOException {
        HttpGet request = new HttpGet(uri);
        request.setHeader("Host", "app.example");
        request.setHeader("Cookie", "sticky=s000001-deadbeef");
        request.setHeader("X-Forwarded-For", "127.0.0.1");
        request.setHeader("X-Forwarded-Proto", "http");
        request.setHeader("X-Forwarded-Host", "app.example");
        return client.execute(request, response -> {
          HttpEntity entity = response.getEntity();
          if (entity != null) {
            try (InputStream in = entity.getContent()) {
              while (in.read(buffer) >= 0) {
                // the body goes nowhere, as the valve's goes to its client
              }
            }
          }
          return response.getCode();
        });
      }

      @Override
      public void close() throws IOException {
        client.close();
      }
    };
  }

  /** What one round measured. */
  private record Result(String name, long requests, long errors, double seconds, double cpuUs,
      long p50Ns, long p99Ns) {
    String row(int round) {
      return String.format(Locale.ROOT,
          "ROUND %d %-20s %8.0f req/s  CPU %6.1f us/req  p50 %6.3f ms  p99 %6.3f ms  errors %d",
          round, name, requests / seconds, cpuUs / Math.max(1, requests), p50Ns / 1e6, p99Ns / 1e6,
          errors);
    }
  }

  private static Result run(String name, Leg leg, int threads, int seconds, boolean measured)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    long[][] latencies = new long[threads][];
    long[] counts = new long[threads];
    long[] errors = new long[threads];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread worker = new Thread(() -> {
        long[] samples = new long[1 << 16];
        long n = 0;
        while (!stop.get()) {
          long start = System.nanoTime();
          try {
            if (leg.get() != 200) {
              errors[id]++;
            }
          } catch (IOException e) {
            errors[id]++;
          }
          samples[(int) (n++ & (samples.length - 1))] = System.nanoTime() - start;
        }
        counts[id] = n;
        latencies[id] = Arrays.copyOf(samples, (int) Math.min(n, samples.length));
      }, name + "-" + t);
      workers.add(worker);
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    workers.forEach(Thread::start);
    TimeUnit.SECONDS.sleep(seconds);
    stop.set(true);
    for (Thread worker : workers) {
      worker.join();
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double cpuUs = (os.getProcessCpuTime() - cpu0) / 1e3;
    long requests = 0;
    long failed = 0;
    int samples = 0;
    for (int t = 0; t < threads; t++) {
      requests += counts[t];
      failed += errors[t];
      samples += latencies[t].length;
    }
    long[] all = new long[samples];
    int at = 0;
    for (long[] some : latencies) {
      System.arraycopy(some, 0, all, at, some.length);
      at += some.length;
    }
    Arrays.sort(all);
    long p50 = all.length == 0 ? 0 : all[all.length / 2];
    long p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))];
    if (!measured) {
      System.out.println(String.format(Locale.ROOT, "warm-up %s: %.0f req/s", name,
          requests / elapsed));
    }
    return new Result(name, requests, failed, elapsed, cpuUs, p50, p99);
  }
}
