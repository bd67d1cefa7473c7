package dev.tether.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code curl} command line, for HTTP/2 in clear text by prior knowledge
 * ({@code --http2-prior-knowledge}), which the JDK client does not speak. Tests that need it
 * skip, naming why, on a machine whose curl is missing or built without HTTP/2.
 */
public final class Curl {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private Curl() {}

  /** Why curl cannot run the HTTP/2 scenarios here; empty when it can. */
  public static Optional<String> unavailable() {
    try {
      Process version = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
      byte[] out = version.getInputStream().readAllBytes();
      if (!version.waitFor(10, TimeUnit.SECONDS) || version.exitValue() != 0) {
        return Optional.of("curl --version failed");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      return text.contains("HTTP2") ? Optional.empty()
          : Optional.of("curl is built without HTTP/2 (no HTTP2 in its features): " + text.lines()
              .findFirst().orElse(""));
    } catch (IOException e) {
      return Optional.of("curl is not on the PATH (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /**
   * {@code curl --http2-prior-knowledge} of {@code base + path} with extra curl arguments
   * ({@code -H}, {@code --data-binary @file}...); the response as curl printed it.
   */
  public static Response http2(URI base, String path, String... curlArguments) {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--http2-prior-knowledge",
        "--max-time", Long.toString(TIMEOUT.toSeconds() - 5)));
    command.addAll(Arrays.asList(curlArguments));
    command.add(base.resolve(path).toString());
    try {
      Path out = Files.createTempFile(Layout.work(), "curl-", ".out");
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
          .redirectError(ProcessBuilder.Redirect.PIPE).start();
      byte[] err = process.getErrorStream().readAllBytes();
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + ": still running after " + TIMEOUT);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + ": exit " + process.exitValue()
            + ": " + new String(err, StandardCharsets.UTF_8).trim());
      }
      return Response.parse(Files.readAllBytes(out));
    } catch (IOException e) {
      throw new UncheckedIOException(String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }

  /**
   * A response as {@code curl -i} prints it.
   *
   * @param head the status line and fields
   * @param body the body's bytes
   */
  public record Response(RawConnection.Head head, byte[] body) {

    static Response parse(byte[] output) {
      String text = new String(output, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        throw new IllegalStateException("curl printed no response head: " + text);
      }
      return new Response(RawConnection.Head.parse(text.substring(0, end + 4)),
          Arrays.copyOfRange(output, end + 4, output.length));
    }

    /** The status line's protocol, for example {@code HTTP/2}. */
    public String protocol() {
      return head.statusLine().split(" ", 2)[0];
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
