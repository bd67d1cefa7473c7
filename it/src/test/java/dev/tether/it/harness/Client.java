package dev.tether.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The test client: the JDK HttpClient over HTTP/1.1 with no cookie store and no redirects, so every
 * cookie and session value a test sends is one it set itself.
 */
public final class Client {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  /**
   * {@code POST base + path} with {@code body} and the given header name/value pairs; the
   * response body as bytes.
   *
   * @throws UncheckedIOException when no response came
   */
  public HttpResponse<byte[]> post(URI base, String path, byte[] body,
      String... headerNamesAndValues) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    addHeaders(request, headerNamesAndValues);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + base.resolve(path) + ": no response", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: POST " + base.resolve(path), e);
    }
  }

  /**
   * {@code GET base + path} with the given header name/value pairs.
   *
   * @throws UncheckedIOException when no response came
   */
  public Reply get(URI base, String path, String... headerNamesAndValues) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).GET().timeout(TIMEOUT);
    addHeaders(request, headerNamesAndValues);
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + base.resolve(path) + ": no response", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: GET " + base.resolve(path), e);
    }
  }

  private static void addHeaders(HttpRequest.Builder request, String... headerNamesAndValues) {
    if (headerNamesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("headers: odd count (expected: name/value pairs)");
    }
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      request.header(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
  }
}
