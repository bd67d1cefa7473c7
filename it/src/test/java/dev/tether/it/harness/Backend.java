package dev.tether.it.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One demo backend process ({@code dev.tether.demo.Backend}, launched from the runnable demo jar
 * as users launch it) on 127.0.0.1, on a port it chose itself and printed as
 * {@code listening 127.0.0.1:<port>}. Its responses carry {@code x-backend-instance: <name>}, and
 * its WebSocket echo ({@code /echo}) prefixes every text message with the name, which is how the
 * tests see where a request or a socket went.
 */
public final class Backend implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening (\\S+):(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final String host;
  private final int port;
  private final ManagedProcess process;

  private Backend(String name, String host, int port, ManagedProcess process) {
    this.name = name;
    this.host = host;
    this.port = port;
    this.process = process;
  }

  /** Starts a backend named {@code name} and waits until it listens. */
  public static Backend start(String name) {
    return start(name, "127.0.0.1", 0);
  }

  /**
   * Starts a backend named {@code name} on {@code host} (a loopback address, 127.0.0.0/8) and
   * {@code port} (0: one it chooses), and waits until it listens: DNS tests serve backends on
   * several loopback addresses and one port, as {@code dns:NAME:PORT} needs.
   */
  public static Backend start(String name, String host, int port) {
    Path dir = Layout.newRunDir("backend-" + name);
    List<String> command = new ArrayList<>();
    command.add(Jvm.java());
    command.addAll(Jvm.SMALL);
    command.addAll(List.of("-cp", Layout.demoJar().toString(), "dev.tether.demo.Backend",
        "--host", host, "--port", Integer.toString(port), "--name", name, "--version", "v1"));
    ManagedProcess process =
        ManagedProcess.start("backend " + name, command, dir, java.util.Map.of(),
            dir.resolve("backend.log"));
    try {
      Matcher listening = process.awaitLogLine(LISTENING, START_TIMEOUT);
      return new Backend(name, listening.group(1), Integer.parseInt(listening.group(2)), process);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  /** Starts one backend per name, in parallel; all or none. */
  public static List<Backend> startAll(List<String> names) {
    List<CompletableFuture<Backend>> starts = names.stream()
        .map(name -> CompletableFuture.supplyAsync(() -> start(name)))
        .toList();
    List<Backend> started = new ArrayList<>();
    RuntimeException failure = null;
    for (CompletableFuture<Backend> start : starts) {
      try {
        started.add(start.join());
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      started.forEach(Backend::close);
      throw failure;
    }
    return List.copyOf(started);
  }

  /** The instance name the backend answers with. */
  public String name() {
    return name;
  }

  /** {@code ip:port}, as endpoints are configured and as session values carry them. */
  public String address() {
    return host + ":" + port;
  }

  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the backend at once, as a crash would; the port then refuses connections. */
  public void kill() {
    process.kill();
  }

  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return name + "@" + address();
  }
}
