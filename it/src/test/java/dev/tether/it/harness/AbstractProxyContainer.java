package dev.tether.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What both containers share: one process per run, and readiness by polling a real request. */
abstract class AbstractProxyContainer implements ProxyContainer {

  /** Generous for a cold JVM on a loaded 2-core CI machine; a healthy start takes 1 to 3 s. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** Starts on a port someone else took first are retried on a new port this many times. */
  private static final int BIND_ATTEMPTS = 3;

  private final String label;
  private ManagedProcess process;
  private URI baseUri;
  private Path lastLog;

  AbstractProxyContainer(String label) {
    this.label = label;
  }

  @Override
  public final String label() {
    return label;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The port is chosen free just before the container binds it; should another process take
   * it in between, the start is retried on a new port, at most {@value #BIND_ATTEMPTS} times.
   */
  @Override
  public final synchronized void start(Map<String, String> tetherKeys,
      Map<String, String> baseFiles, List<String> jvmOptions) {
    for (int attempt = 1; ; attempt++) {
      try {
        startOnce(tetherKeys, baseFiles, List.copyOf(jvmOptions));
        return;
      } catch (RuntimeException e) {
        if (attempt >= BIND_ATTEMPTS || lastLog == null
            || !Files2.tail(lastLog, 200).contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  private void startOnce(Map<String, String> tetherKeys, Map<String, String> baseFiles,
      List<String> jvmOptions) {
    stop();
    lastLog = null;
    Path runDir = Layout.newRunDir(label);
    try {
      Files.writeString(runDir.resolve("tether-keys.txt"), new TreeMap<>(tetherKeys).toString(),
          StandardCharsets.UTF_8);
      int port = FreePorts.next();
      process = launch(runDir, port, tetherKeys, baseFiles, jvmOptions);
      lastLog = process.log();
      baseUri = URI.create("http://127.0.0.1:" + port + "/");
      awaitReady();
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(label + ": install into " + runDir + " failed", e);
    } catch (RuntimeException | Error e) {
      stop();
      throw e;
    }
  }

  /**
   * Installs Tether into a fresh base under {@code runDir}, writes {@code baseFiles} into it with
   * {@link #writeBaseFiles}, and starts the container on {@code port}, its server JVM with
   * {@code jvmOptions} too (see {@link ProxyContainer#start(Map, Map, List)}).
   */
  abstract ManagedProcess launch(Path runDir, int port, Map<String, String> tetherKeys,
      Map<String, String> baseFiles, List<String> jvmOptions) throws IOException;

  /** Writes each file of {@code baseFiles} under {@code base}, refusing paths that leave it. */
  static void writeBaseFiles(Path base, Map<String, String> baseFiles) throws IOException {
    for (Map.Entry<String, String> file : baseFiles.entrySet()) {
      Path target = base.resolve(file.getKey()).normalize();
      if (!target.startsWith(base)) {
        throw new IllegalArgumentException(file.getKey() + ": leaves the base directory");
      }
      Files.createDirectories(target.getParent());
      Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Polls {@code GET /hello} until the container forwards it to a backend (200). A refused
   * connection or another status means not yet; a dead process fails at once with its log.
   */
  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    HttpRequest hello = HttpRequest.newBuilder(baseUri.resolve("/hello"))
        .timeout(Duration.ofSeconds(5)).GET().build();
    try {
      Poll.until(label + " answers GET /hello with 200 on " + baseUri, START_TIMEOUT, () -> {
        process.failIfDead();
        if (Files2.tail(process.log(), 200).contains("Address already in use")) {
          throw new Poll.Fatal(label + ": port " + baseUri.getPort() + " was taken");
        }
        HttpResponse<Void> response = http.send(hello, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200) {
          throw new IllegalStateException("GET /hello answered " + response.statusCode());
        }
        return Optional.of(response.statusCode());
      });
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          e.getMessage() + "\nlog " + process.log() + " ends:\n" + Files2.tail(process.log(), 60), e);
    }
  }

  @Override
  public final synchronized URI baseUri() {
    if (baseUri == null) {
      throw new IllegalStateException(label + ": not started");
    }
    return baseUri;
  }

  @Override
  public final synchronized long serverPid() {
    if (process == null) {
      throw new IllegalStateException(label + ": not started");
    }
    ProcessHandle root = ProcessHandle.of(process.pid())
        .orElseThrow(() -> new IllegalStateException(label + ": its process is gone"));
    List<ProcessHandle> javas = new ArrayList<>();
    if (isJava(root)) {
      javas.add(root);
    }
    root.descendants().filter(AbstractProxyContainer::isJava).forEach(javas::add);
    // The server JVM is the java that started no other java (start.jar forks it with --exec).
    for (ProcessHandle java : javas) {
      if (java.descendants().noneMatch(AbstractProxyContainer::isJava)) {
        return java.pid();
      }
    }
    throw new IllegalStateException(label + ": no java process in the tree of " + root.pid());
  }

  private static boolean isJava(ProcessHandle process) {
    return process.info().command().map(command -> command.endsWith("/java")).orElse(false);
  }

  @Override
  public final synchronized Path log() {
    if (process == null) {
      throw new IllegalStateException(label + ": not started");
    }
    return process.log();
  }

  @Override
  public final synchronized void stop() {
    if (process != null) {
      process.close();
      process = null;
      baseUri = null;
    }
  }

  @Override
  public String toString() {
    return label;
  }
}
