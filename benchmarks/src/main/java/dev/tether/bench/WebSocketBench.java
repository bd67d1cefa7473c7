package dev.tether.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What open WebSockets cost a front end, and what a front end adds to a WebSocket round trip:
 * the two measurements issue 10 asks for, on the demo jar's processes (a backend with its echo,
 * a Jetty or Tomcat front end with the Tether module or valve), each its own JVM, so the client's
 * threads and heap never count.
 *
 * <ol>
 *   <li>Open {@code --sockets} WebSockets through the front end (one echo each, so every tunnel is
 *       up), and read the front end's live threads and its heap after a full GC ({@code jcmd})
 *       before, while they are open and after they are closed.
 *   <li>{@code --trips} sequential echo round trips on one socket through the front end, then as
 *       many directly to the backend, after {@code --warmup} of each: p50, p99, max.
 * </ol>
 *
 * <pre>
 * ./mvnw -q -DskipTests package -pl benchmarks,demo-apps -am
 * java -cp benchmarks/target/benchmarks.jar dev.tether.bench.WebSocketBench \
 *     --demo demo-apps/target/tether-demo.jar --front jetty --sockets 1000 --trips 10000
 * </pre>
 */
public final class WebSocketBench {
  private static final Pattern LISTENING = Pattern.compile("listening (\\S+):(\\d+)");
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  /** Sockets whose handshakes are in flight at once while opening. */
  private static final int BATCH = 50;

  private WebSocketBench() {}

  public static void main(String[] args) throws Exception {
    String demo = "demo-apps/target/tether-demo.jar";
    String front = "jetty";
    int sockets = 1000;
    int trips = 10_000;
    int warmup = 2_000;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--demo" -> demo = args[i + 1];
        case "--front" -> front = args[i + 1];
        case "--sockets" -> sockets = Integer.parseInt(args[i + 1]);
        case "--trips" -> trips = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]
            + " (expected: --demo JAR --front jetty|tomcat --sockets N --trips N --warmup N)");
      }
    }
    if (!Files.isRegularFile(Path.of(demo))) {
      throw new IllegalArgumentException("--demo " + demo + ": no such file (build demo-apps)");
    }
    try (Child backend = Child.start(demo, "backend", "--port", "0", "--name", "echo-1");
        Child proxy = Child.start(demo, front, "--port", "0",
            "--endpoints", backend.address, "--sessionHeader", "x-session-header")) {
      HttpClient http = HttpClient.newHttpClient();
      URI viaProxy = URI.create("ws://" + proxy.address + "/echo");
      URI direct = URI.create("ws://" + backend.address + "/echo");
      System.out.printf("front end: %s (pid %d), backend %s, JVM %s%n", front, proxy.pid(),
          backend.address, System.getProperty("java.vm.version"));

      // Warm the front end's upgrade path before the first reading.
      try (Echo echo = Echo.open(http, viaProxy)) {
        echo.roundTrips(warmup);
      }
      Usage before = Usage.of(proxy.pid());
      List<Echo> open = new ArrayList<>(sockets);
      long openStart = System.nanoTime();
      // In batches, as sockets arrive in a real tier: a burst of a thousand handshakes at once
      // would measure how far the container's thread pool grows for a burst, not what an open
      // socket holds.
      for (int batch = 0; batch < sockets; batch += BATCH) {
        List<CompletableFuture<Echo>> opening = new ArrayList<>(BATCH);
        for (int i = batch; i < Math.min(sockets, batch + BATCH); i++) {
          opening.add(Echo.openAsync(http, viaProxy));
        }
        for (CompletableFuture<Echo> future : opening) {
          Echo echo = future.get(60, TimeUnit.SECONDS);
          echo.roundTrips(1);
          open.add(echo);
        }
      }
      long openMillis = (System.nanoTime() - openStart) / 1_000_000;
      Usage during = Usage.of(proxy.pid());
      for (Echo echo : open) {
        echo.close();
      }
      Thread.sleep(2_000); // closes travel through both tunnels' ends; nothing is polled for them
      Usage after = Usage.of(proxy.pid());
      System.out.printf("%d WebSockets opened (one echo each) in %d ms%n", sockets, openMillis);
      System.out.printf("  %-16s threads %4d (in Tether code %d)  heap after GC %7.1f MiB%n",
          "before", before.threads, before.inTether, before.heapMiB());
      System.out.printf("  %-16s threads %4d (in Tether code %d)  heap after GC %7.1f MiB"
          + "  (%+.1f KiB per socket)%n", sockets + " open", during.threads, during.inTether,
          during.heapMiB(), (during.heapKiB - before.heapKiB) / (double) sockets);
      System.out.printf("  %-16s threads %4d (in Tether code %d)  heap after GC %7.1f MiB%n",
          "after closing", after.threads, after.inTether, after.heapMiB());

      long[] proxied;
      long[] straight;
      try (Echo echo = Echo.open(http, viaProxy)) {
        echo.roundTrips(warmup);
        proxied = echo.roundTrips(trips);
      }
      try (Echo echo = Echo.open(http, direct)) {
        echo.roundTrips(warmup);
        straight = echo.roundTrips(trips);
      }
      System.out.printf("%d echo round trips, one socket, sequential (after %d warm-up)%n", trips,
          warmup);
      print("  through " + front, proxied);
      print("  direct to the backend", straight);
    }
  }

  private static void print(String label, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("  %-28s p50 %7.1f us  p99 %7.1f us  max %8.1f us%n", label,
        sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.99)] / 1e3,
        sorted[sorted.length - 1] / 1e3);
  }

  /**
   * Threads and heap of a process, read with the JDK's own {@code jcmd}; {@code inTether} counts
   * the threads with a Tether frame on their stack, other than Tether's own background threads
   * ({@code tether-*}) and the demo's main thread: a tunnel that held a thread would show there.
   */
  record Usage(int threads, int inTether, long heapKiB) {
    static Usage of(long pid) throws IOException, InterruptedException {
      jcmd(pid, "GC.run");
      Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
      long heap = used.find() ? Long.parseLong(used.group(1)) : -1;
      int threads = 0;
      int inTether = 0;
      boolean counted = true;
      for (String line : jcmd(pid, "Thread.print").split("\n")) {
        if (line.startsWith("\"")) {
          threads++;
          counted = line.startsWith("\"tether-");
        } else if (!counted && line.contains("at dev.tether.")
            && !line.contains("at dev.tether.demo.")) {
          inTether++;
          counted = true;
        }
      }
      return new Usage(threads, inTether, heap);
    }

    double heapMiB() {
      return heapKiB / 1024.0;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
      String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
      Process process = new ProcessBuilder(jcmd, Long.toString(pid), command)
          .redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("jcmd " + pid + " " + command + " failed: " + output);
      }
      return output;
    }
  }

  /** A process of the demo jar, started and waited for until it says where it listens. */
  static final class Child implements AutoCloseable {
    final Process process;
    final String address;

    private Child(Process process, String address) {
      this.process = process;
      this.address = address;
    }

    static Child start(String demo, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xms256m", "-Xmx256m", "-jar", demo));
      command.addAll(List.of(args));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (String line; (line = out.readLine()) != null; ) {
        Matcher listening = LISTENING.matcher(line);
        if (listening.find()) {
          String host = listening.group(1).equals("0.0.0.0") ? "127.0.0.1" : listening.group(1);
          Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "drain-" + args[0]);
          drain.setDaemon(true);
          drain.start();
          return new Child(process, host + ":" + listening.group(2));
        }
        if (System.nanoTime() > deadline) {
          break;
        }
      }
      process.destroyForcibly();
      throw new IOException(String.join(" ", args) + ": did not print 'listening'");
    }

    long pid() {
      return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** One WebSocket to the echo, with its replies queued. */
  static final class Echo implements WebSocket.Listener, AutoCloseable {
    private final LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static Echo open(HttpClient http, URI uri) throws Exception {
      return openAsync(http, uri).get(30, TimeUnit.SECONDS);
    }

    static CompletableFuture<Echo> openAsync(HttpClient http, URI uri) {
      Echo echo = new Echo();
      return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
          .buildAsync(uri, echo).thenApply(socket -> {
            echo.socket = socket;
            return echo;
          });
    }

    /** Sequential round trips; returns each one's time in nanoseconds. */
    long[] roundTrips(int count) throws Exception {
      long[] nanos = new long[count];
      for (int i = 0; i < count; i++) {
        String message = "m" + i;
        long start = System.nanoTime();
        socket.sendText(message, true).get(30, TimeUnit.SECONDS);
        String reply = replies.poll(30, TimeUnit.SECONDS);
        nanos[i] = System.nanoTime() - start;
        if (reply == null || !reply.endsWith(": " + message)) {
          throw new IllegalStateException("echo of " + message + " was " + reply);
        }
      }
      return nanos;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        replies.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void close() {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(10, TimeUnit.SECONDS)
          .exceptionally(failure -> null).join();
    }
  }
}
