package dev.tether.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's TCP table ({@code /proc/net/tcp} and {@code tcp6}, Linux): how many connections
 * are established to a local port, whoever holds them. A backend's count is what a front end's
 * pool keeps open to it, since nothing else talks to the test backends.
 */
final class TcpTable {

  private static final String ESTABLISHED = "01";

  private TcpTable() {}

  /** Connections in state ESTABLISHED whose local port is {@code port}. */
  static int established(int port) {
    String local = String.format(":%04X", port);
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(table));
      } catch (IOException e) {
        continue; // no IPv6 table on this machine
      }
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length > 3 && fields[1].endsWith(local) && fields[3].equals(ESTABLISHED)) {
          count++;
        }
      }
    }
    return count;
  }
}
