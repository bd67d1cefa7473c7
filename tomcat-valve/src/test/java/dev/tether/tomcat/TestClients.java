package dev.tether.tomcat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The test's own HTTP client, and polling with a deadline for what arrives asynchronously. */
final class TestClients {
  private TestClients() {}

  /** No redirects, no cookies, no proxy: the test sees exactly what the front end answered. */
  static HttpClient plain() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** The file's lines once it has at least {@code count}; fails after 10 seconds. */
  static List<String> awaitLines(Path file, int count) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> lines = List.of();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() >= count) {
          return lines;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("expected " + count + " lines in " + file + ", found " + lines);
  }
}
