package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies stream both ways. The big transfers run in a test JVM whose heap (-Xmx128m, set in the
 * POM) is smaller than each body, so holding one whole would fail; the gated ones show bytes
 * crossing the proxy before the other side has finished.
 */
final class StreamingTest {
  private static final long BIG = 160L * 1024 * 1024;
  private static final HttpClient client = TestClients.plain();

  @TempDir Path baseDir;

  @Test
  void bodiesLargerThanTheHeapStreamBothWays() throws Exception {
    assertThat(Runtime.getRuntime().maxMemory()).as("heap limit from the POM").isLessThan(BIG);
    String expectedSha = Bodies.sha256(BIG);
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()))) {
      HttpResponse<String> upload = client.send(
          HttpRequest.newBuilder(URI.create(front.url("/upload")))
              .PUT(BodyPublishers.fromPublisher(
                  BodyPublishers.ofInputStream(() -> Bodies.stream(BIG)), BIG))
              .build(),
          BodyHandlers.ofString());
      assertThat(upload.statusCode()).isEqualTo(200);
      assertThat(upload.body()).isEqualTo(BIG + " " + expectedSha);

      HttpResponse<InputStream> download = client.send(
          HttpRequest.newBuilder(URI.create(front.url("/download?bytes=" + BIG))).build(),
          BodyHandlers.ofInputStream());
      assertThat(download.statusCode()).isEqualTo(200);
      assertThat(download.headers().firstValueAsLong("content-length")).hasValue(BIG);
      MessageDigest sha = Backend.sha256();
      long total = 0;
      try (InputStream in = download.body()) {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          sha.update(buffer, 0, n);
          total += n;
        }
      }
      assertThat(total).isEqualTo(BIG);
      assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(expectedSha);
    }
  }

  @Test
  void theBackendReadsAnUploadWhileTheClientIsStillSendingIt() throws Exception {
    int half = 1024 * 1024;
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()));
        RawHttp http = new RawHttp(front.port())) {
      http.sendHead("POST /upload HTTP/1.1", "Host: front", "Content-Length: " + (2 * half));
      http.out.write(new byte[half]);
      http.out.flush();
      // Some bytes may sit in buffers on the way; most of the first half must have arrived.
      awaitAtLeast(backend, half / 2);
      http.out.write(new byte[half]);
      http.out.flush();
      RawHttp.Answer answer = http.readAnswer(true);
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.text()).startsWith((2 * half) + " ");
    }
  }

  @Test
  void aChunkedUploadIsForwardedChunkedAsItArrives() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()));
        RawHttp http = new RawHttp(front.port())) {
      http.sendHead("PUT /upload HTTP/1.1", "Host: front", "Transfer-Encoding: chunked");
      byte[] piece = "0123456789abcdef".repeat(4096).getBytes(StandardCharsets.US_ASCII);
      writeChunk(http, piece);
      awaitAtLeast(backend, piece.length / 2);
      writeChunk(http, piece);
      http.out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      http.out.flush();
      RawHttp.Answer answer = http.readAnswer(true);
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.text()).startsWith((2 * piece.length) + " ");
      assertThat(backend.seen.peek().headers().getFirst("Transfer-Encoding")).isEqualTo("chunked");
    }
  }

  @Test
  void theClientReadsTheFirstPartOfAResponseBeforeTheBackendSendsTheRest() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()));
        RawHttp http = new RawHttp(front.port())) {
      http.sendHead("GET /gated HTTP/1.1", "Host: front");
      assertThat(http.readLine()).startsWith("HTTP/1.1 200");
      while (!http.readLine().isEmpty()) {
        // the head; the body is chunked
      }
      StringBuilder received = new StringBuilder();
      while (received.length() < "first-half;".length()) {
        received.append(new String(http.readChunk(), StandardCharsets.US_ASCII));
      }
      assertThat(received.toString()).isEqualTo("first-half;");
      backend.gate.countDown();
      for (byte[] chunk; (chunk = http.readChunk()) != null; ) {
        received.append(new String(chunk, StandardCharsets.US_ASCII));
      }
      assertThat(received.toString()).isEqualTo("first-half;second-half");
    }
  }

  private static void writeChunk(RawHttp http, byte[] data) throws IOException {
    http.out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    http.out.write(data);
    http.out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    http.out.flush();
  }

  /** Waits, with a deadline, until the backend has received {@code bytes} of upload bodies. */
  private static void awaitAtLeast(Backend backend, long bytes) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (backend.uploaded.get() < bytes) {
      assertThat(System.nanoTime()).as("backend received " + backend.uploaded.get() + " of "
          + bytes + " bytes: the proxy is holding the body back").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
