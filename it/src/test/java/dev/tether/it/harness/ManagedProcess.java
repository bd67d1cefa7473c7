package dev.tether.it.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child process whose output goes to a log file under {@code target/}, and which is always
 * ended with its whole process tree: by {@link #close()}, by a JVM shutdown hook for any process a
 * failed or interrupted test run left behind, and, should this JVM itself be killed, by the next
 * run through {@link Leftovers}.
 */
public final class ManagedProcess implements AutoCloseable {

  private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();
  private static final Duration GRACE = Duration.ofSeconds(10);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> List.copyOf(LIVE).forEach(ManagedProcess::close), "tether-it-process-reaper"));
  }

  private final String name;
  private final Process process;
  private final Path log;
  /** Whether the last signal was SIGSTOP. */
  private volatile boolean stopped;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in {@code workDir} with {@code extraEnv} applied to this JVM's
   * environment (a null value removes a variable); stdout and stderr both append to {@code log}, after a first line naming the
   * command.
   */
  public static ManagedProcess start(String name, List<String> command, Path workDir,
      Map<String, String> extraEnv, Path log) {
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      // A null value removes the variable, so an inherited CATALINA_PID or JAVA_OPTS cannot leak in.
      extraEnv.forEach((key, value) -> {
        if (value == null) {
          builder.environment().remove(key);
        } else {
          builder.environment().put(key, value);
        }
      });
      ManagedProcess managed = new ManagedProcess(name, builder.start(), log);
      LIVE.add(managed);
      Leftovers.record(managed.process.toHandle());
      return managed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Waits for the process to exit by itself, and returns its exit code. */
  public int awaitExit(Duration timeout) {
    return Poll.until(name + " exits (log: " + log + ")", timeout,
        () -> process.isAlive() ? Optional.empty() : Optional.of(process.exitValue()));
  }

  /**
   * Waits until a line of the log matches {@code pattern}, failing at once if the process exits.
   *
   * @return the match, for its groups
   */
  public Matcher awaitLogLine(Pattern pattern, Duration timeout) {
    return Poll.until(name + " logs " + pattern + " (log: " + log + ")", timeout, () -> {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        Matcher matcher = pattern.matcher(line);
        if (matcher.find()) {
          return Optional.of(matcher);
        }
      }
      failIfDead();
      return Optional.empty();
    });
  }

  /** Throws {@link Poll.Fatal} with the log's tail when the process has exited. */
  public void failIfDead() {
    if (!process.isAlive()) {
      throw new Poll.Fatal(name + " exited with " + process.exitValue() + "; log " + log
          + " ends:\n" + Files2.tail(log, 40));
    }
  }

  /**
   * Ends the process and every descendant: SIGTERM first so servers shut down cleanly, then
   * SIGKILL for whatever is still alive after a grace period. Idempotent.
   */
  @Override
  public void close() {
    if (!LIVE.remove(this)) {
      return;
    }
    if (stopped && process.isAlive()) {
      // A stopped process does not act on SIGTERM until continued.
      resumeIfStopped();
    }
    long start = System.nanoTime();
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    String how = "SIGTERM";
    if (!awaitGone(tree, GRACE)) {
      tree.forEach(ProcessHandle::destroyForcibly);
      how = awaitGone(tree, GRACE) ? "SIGKILL after " + GRACE : "SIGKILL, STILL ALIVE";
    }
    note("stopped " + tree.size() + " process(es) by " + how + " in "
        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
  }

  /** Appends a line from the harness to the process log. */
  private void note(String line) {
    try {
      Files.writeString(log, "[tether-it] " + line + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // The log is for humans; losing one harness line must not fail a test.
    }
  }

  /**
   * Sends SIGTERM to the process itself (not its descendants), as an orchestrator stopping it
   * would, and returns at once; {@link #awaitExit} waits for the exit. The process stays managed:
   * {@link #close()} still reaps whatever is left.
   */
  public void terminate() {
    note("SIGTERM");
    process.destroy();
  }

  /**
   * Sends {@code signal} ({@code STOP}, {@code CONT}) to the process with {@code kill}: the JDK
   * can send only SIGTERM and SIGKILL.
   */
  public void signal(String signal) {
    note("SIG" + signal);
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + ": " + output);
      }
      stopped = signal.equals("STOP");
    } catch (IOException e) {
      throw new UncheckedIOException("kill -" + signal + " " + process.pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: kill -" + signal, e);
    }
  }

  /** SIGCONT if {@link #signal} stopped it, so that SIGTERM can end it. */
  public void resumeIfStopped() {
    if (stopped && process.isAlive()) {
      signal("CONT");
    }
  }

  /** Kills the process tree at once, as a crash would. */
  public void kill() {
    if (!LIVE.remove(this)) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroyForcibly);
    note(awaitGone(tree, GRACE) ? "killed" : "killed, STILL ALIVE after " + GRACE);
  }

  private static boolean awaitGone(List<ProcessHandle> tree, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle handle : tree) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        handle.onExit().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      } catch (java.util.concurrent.ExecutionException e) {
        // onExit never completes exceptionally; treat as gone.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return tree.stream().noneMatch(ProcessHandle::isAlive);
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }
}
