package dev.tether.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@link FaultBackendMain} process on 127.0.0.1: what the fault suite kills, stops with
 * SIGSTOP, restarts on the same port and drains. Each instance is one process; a restart is a new
 * instance on the old port, so the deliveries of every incarnation stay readable from their logs.
 */
public final class FaultBackend implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening (\\S+):(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final int port;
  private final ManagedProcess process;

  private FaultBackend(String name, int port, ManagedProcess process) {
    this.name = name;
    this.port = port;
    this.process = process;
  }

  /** Starts {@code name} on a port of its choosing. */
  public static FaultBackend start(String name) {
    return start(name, 0);
  }

  /** Starts {@code name} on {@code port} (0: any), and waits until it listens. */
  public static FaultBackend start(String name, int port) {
    Path dir = Layout.newRunDir("fault-backend-" + name);
    List<String> command = new ArrayList<>();
    command.add(Jvm.java());
    command.addAll(List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of("-cp", classes().toString(), FaultBackendMain.class.getName(),
        "--port", Integer.toString(port), "--name", name));
    ManagedProcess process = ManagedProcess.start("fault backend " + name, command, dir,
        Map.of(), dir.resolve("backend.log"));
    try {
      Matcher listening = process.awaitLogLine(LISTENING, START_TIMEOUT);
      return new FaultBackend(name, Integer.parseInt(listening.group(2)), process);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  /** A new process of the same name on the same port; this one must have exited. */
  public FaultBackend restart() {
    if (process.isAlive()) {
      throw new IllegalStateException(this + ": still running");
    }
    return start(name, port);
  }

  /** The directory of the test classes, which holds the backend program and all it needs. */
  private static Path classes() {
    try {
      return Path.of(FaultBackendMain.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}, as endpoints are configured and sessions name it. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** kill -9. */
  public void kill() {
    process.kill();
  }

  /** SIGTERM, then waits for the exit: exchanges in flight get a second to finish. */
  public void terminate() {
    process.terminate();
    process.awaitExit(Duration.ofSeconds(15));
  }

  /** SIGSTOP: the process keeps its sockets (the kernel still accepts) but answers nothing. */
  public void pause() {
    process.signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    process.signal("CONT");
  }

  /** Connections established to this backend's port now, counted by the kernel. */
  public int openConnections() {
    return TcpTable.established(port);
  }

  /** How many times each request id was delivered to this process, from its log. */
  public Map<String, Integer> deliveries() {
    Map<String, Integer> counts = new HashMap<>();
    try {
      for (String line : Files.readAllLines(process.log(), StandardCharsets.UTF_8)) {
        if (line.startsWith(FaultBackendMain.DELIVERED)) {
          counts.merge(line.substring(FaultBackendMain.DELIVERED.length()), 1, Integer::sum);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return counts;
  }

  @Override
  public void close() {
    process.resumeIfStopped();
    process.close();
  }

  @Override
  public String toString() {
    return name + "@" + address();
  }
}
