package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.it.harness.Jvm;
import dev.tether.it.harness.Layout;
import dev.tether.it.harness.ManagedProcess;
import dev.tether.it.harness.TetherCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code tether status --pid} on processes that are no Tether front end, each a real process
 * started here: a plain JVM, a JVM that refuses attaching, a PID that has exited. Each answer is
 * exit 2 and one line naming the PID and why.
 */
final class StatusErrorsIT {

  /** A plain JVM: Java's source launcher running a class that prints a line and sleeps. */
  private static ManagedProcess idleJvm(String label, String... options) throws IOException {
    Path dir = Layout.newRunDir(label);
    Path source = dir.resolve("Idle.java");
    Files.writeString(source, "public class Idle { public static void main(String[] a)"
        + " throws Exception { System.out.println(\"idle\"); Thread.sleep(120_000); } }\n",
        StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>();
    command.add(Jvm.java());
    command.addAll(Jvm.SMALL);
    command.addAll(List.of(options));
    command.add(source.toString());
    ManagedProcess idle = ManagedProcess.start(label, command, dir, Map.of(),
        dir.resolve("idle.log"));
    idle.awaitLogLine(Pattern.compile("^idle$"), Duration.ofSeconds(60));
    return idle;
  }

  @Test
  void aPlainJvmIsNotATetherFrontEnd() throws IOException {
    try (ManagedProcess idle = idleJvm("plain-jvm")) {
      TetherCommand.Result result = TetherCommand.run("status", "--pid",
          Long.toString(idle.pid()));
      assertThat(result.exit()).as("%s", result).isEqualTo(2);
      assertThat(result.stdout()).isEmpty();
      assertThat(result.stderr()).isEqualTo("tether: PID " + idle.pid()
          + " is not a Tether front end: no dev.tether MBeans\n");
      TetherCommand.Result pick = TetherCommand.run("pick", "--pid", Long.toString(idle.pid()),
          "--header", "x-user: a");
      assertThat(pick.exit()).isEqualTo(2);
      assertThat(pick.stderr()).isEqualTo(result.stderr());
    }
  }

  @Test
  void aJvmThatRefusesAttachingSaysSo() throws IOException {
    try (ManagedProcess idle = idleJvm("no-attach-jvm", "-XX:+DisableAttachMechanism")) {
      TetherCommand.Result result = TetherCommand.run("drain", "--pid",
          Long.toString(idle.pid()), "127.0.0.1:8080");
      assertThat(result.exit()).as("%s", result).isEqualTo(2);
      assertThat(result.stderr()).isEqualTo("tether: PID " + idle.pid() + " cannot be attached"
          + " to: The VM does not support the attach mechanism (the JVM must allow attaching:"
          + " not started with -XX:+DisableAttachMechanism)\n");
    }
  }

  @Test
  void aPidThatHasExitedIsNoProcess() throws IOException {
    long gone;
    try (ManagedProcess idle = idleJvm("exited-jvm")) {
      gone = idle.pid();
    }
    TetherCommand.Result result = TetherCommand.run("status", "--pid", Long.toString(gone));
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.stderr()).isEqualTo("tether: PID " + gone + ": no such process\n");
  }
}
