package dev.tether.it.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code tether} command line as an operator runs it: {@code java -jar tether-cli.jar ...}, a
 * process of its own (the build's {@code cli/target/tether-cli.jar}), its stdout and stderr kept
 * apart, stopped if it runs longer than {@link #TIMEOUT}.
 */
public final class TetherCommand {

  /** Attaching and a first JMX connection take a second or two on a loaded 2-core machine. */
  public static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** What one run printed and how it ended. */
  public record Result(int exit, List<String> stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + ", stdout " + stdout + ", stderr " + stderr;
    }
  }

  private TetherCommand() {}

  /** Runs {@code tether args...} and waits for it. */
  public static Result run(String... args) {
    Path dir = Layout.newRunDir("tether-" + (args.length == 0 ? "" : args[0]));
    List<String> command = new ArrayList<>();
    command.add(Jvm.java());
    command.addAll(Jvm.SMALL);
    command.add("-jar");
    command.add(Layout.cliJar().toString());
    command.addAll(List.of(args));
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    try {
      Files.writeString(dir.resolve("command.txt"), String.join(" ", command) + "\n",
          StandardCharsets.UTF_8);
      Process process = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      Leftovers.record(process.toHandle());
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("tether " + String.join(" ", args) + ": still running after "
            + TIMEOUT + "; stderr: " + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
