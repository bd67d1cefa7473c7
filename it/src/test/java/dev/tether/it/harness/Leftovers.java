package dev.tether.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Processes a previous test JVM started and could not stop because it was killed itself (a
 * failsafe timeout, a Ctrl-C twice). Each start is recorded as {@code pid start-instant} in
 * {@code target/it-work/processes.txt}; the next run kills exactly those processes, identified by
 * pid and start instant so that a reused pid is never touched, with their descendants.
 */
final class Leftovers {

  private static final String FILE = "processes.txt";

  private Leftovers() {}

  /** Records a started process in the current work directory. */
  static void record(ProcessHandle process) {
    Optional<Instant> start = process.info().startInstant();
    if (start.isEmpty()) {
      return;
    }
    try {
      Files.writeString(Layout.work().resolve(FILE), process.pid() + " " + start.get() + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // Only the next run's clean-up depends on it; the process is stopped by this run anyway.
    }
  }

  /** Kills what the run that used {@code workDir} recorded and left running. */
  static void reap(Path workDir) throws IOException {
    Path file = workDir.resolve(FILE);
    if (!Files.exists(file)) {
      return;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (String line : lines) {
      String[] fields = line.trim().split(" ");
      if (fields.length != 2) {
        continue;
      }
      long pid = Long.parseLong(fields[0]);
      Instant start = Instant.parse(fields[1]);
      ProcessHandle.of(pid)
          .filter(handle -> handle.info().startInstant().map(start::equals).orElse(false))
          .ifPresent(handle -> {
            handle.descendants().forEach(ProcessHandle::destroyForcibly);
            handle.destroyForcibly();
            System.err.println("[tether-it] killed process " + pid + " left by an earlier run");
          });
    }
  }
}
