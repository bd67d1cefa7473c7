package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class BackendTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Backend backend;

  @BeforeAll
  static void start() throws Exception {
    backend = Backend.start("127.0.0.1", 0, "helloworld-v1-1", "v1");
  }

  @AfterAll
  static void stop() {
    backend.close();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://" + backend.address() + path))
            .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void helloNamesVersionAndInstanceLikeIstiosHelloworld() throws Exception {
    HttpResponse<String> response = get("/hello");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("Hello version: v1, instance: helloworld-v1-1\n");
  }

  @Test
  void everyResponseNamesTheInstanceEvenErrors() throws Exception {
    for (String path : List.of("/hello", "/health", "/status/503", "/nope", "/headers")) {
      assertThat(get(path).headers().firstValue("x-backend-instance"))
          .as(path)
          .hasValue("helloworld-v1-1");
    }
  }

  @Test
  void addressIsTheLoopbackIpAndBoundPort() {
    assertThat(backend.address()).isEqualTo("127.0.0.1:" + backend.port());
    assertThat(backend.port()).isPositive();
  }

  @Test
  void statusAnswersTheRequestedCodeAndRejectsNonsense() throws Exception {
    assertThat(get("/status/418").statusCode()).isEqualTo(418);
    assertThat(get("/status/503").statusCode()).isEqualTo(503);
    assertThat(get("/status/204").statusCode()).isEqualTo(204);
    assertThat(get("/status/abc").statusCode()).isEqualTo(400);
    assertThat(get("/status/700").statusCode()).isEqualTo(400);
  }

  @Test
  void headersEchoesRequestHeadersAsJson() throws Exception {
    HttpResponse<String> response = get("/headers", "X-Forwarded-For", "10.0.0.1", "x-custom", "a\"b");

    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.body())
        .startsWith("{\n  \"headers\": {")
        .contains("\"X-Forwarded-For\": \"10.0.0.1\"")
        .contains("\"X-Custom\": \"a\\\"b\"");
  }

  @Test
  void cookiesEchoesEachRequestCookie() throws Exception {
    HttpResponse<String> response =
        get("/cookies", "Cookie", "sticky-session-key=\"abc\"; other=1");

    assertThat(response.body())
        .contains("\"sticky-session-key\": \"\\\"abc\\\"\"")
        .contains("\"other\": \"1\"");
  }

  @Test
  void cookiesIsAnEmptyObjectWithoutCookies() throws Exception {
    assertThat(get("/cookies").body()).isEqualTo("{\n  \"cookies\": {}\n}\n");
  }

  @Test
  void healthSaysOk() throws Exception {
    HttpResponse<String> response = get("/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
  }

  @Test
  void delayWaitsWhileOtherRequestsAreServed() throws Exception {
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<String>> slow =
        CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create("http://" + backend.address() + "/delay/0.5")).build(),
            HttpResponse.BodyHandlers.ofString());

    HttpResponse<String> fast = get("/hello");
    long fastMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    HttpResponse<String> delayed = slow.get(10, TimeUnit.SECONDS);
    long slowMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(fast.statusCode()).isEqualTo(200);
    assertThat(fastMillis).isLessThan(450);
    assertThat(delayed.statusCode()).isEqualTo(200);
    assertThat(delayed.body()).contains("\"delay\": 0.5");
    assertThat(slowMillis).isGreaterThanOrEqualTo(500);
  }

  @Test
  void delayIsCappedAndValidated() throws Exception {
    assertThat(get("/delay/-1").statusCode()).isEqualTo(400);
    assertThat(get("/delay/soon").statusCode()).isEqualTo(400);
    assertThat(Backend.MAX_DELAY_SECONDS).isEqualTo(10);
  }

  @Test
  void anythingStreamsPostBodiesBack() throws Exception {
    byte[] body = new byte[3 * 1024 * 1024 + 7];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    HttpResponse<byte[]> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://" + backend.address() + "/anything/x"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat(response.body()).isEqualTo(body);
  }

  @Test
  void anythingEchoesChunkedBodiesToo() throws Exception {
    List<byte[]> parts = List.of("hello ".getBytes(StandardCharsets.UTF_8),
        "chunked ".getBytes(StandardCharsets.UTF_8), "world".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://" + backend.address() + "/anything"))
                .POST(HttpRequest.BodyPublishers.ofByteArrays(parts))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("hello chunked world");
  }

  @Test
  void otherMethodsOnHelloAreRejected() throws Exception {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://" + backend.address() + "/hello"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
  }

  @Test
  void unknownPathIsNotFound() throws Exception {
    assertThat(get("/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void mainPrintsOneListeningLineServesAndStopsOnSigterm() throws Exception {
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "dev.tether.demo.Backend",
                "--port", "0", "--name", "helloworld-v2-1", "--version", "v2")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      InputStream stdout = process.getInputStream();
      BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
      String line = lines.readLine();
      assertThat(line).matches("listening 127\\.0\\.0\\.1:\\d+");
      String address = line.substring("listening ".length());

      HttpResponse<String> response =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create("http://" + address + "/hello")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("Hello version: v2, instance: helloworld-v2-1\n");

      process.destroy(); // SIGTERM (destroy also closes our end of the pipes)
      assertThat(process.waitFor(5, TimeUnit.SECONDS)).as("stopped within 5 s").isTrue();
      assertThat(process.exitValue()).as("killed by SIGTERM: 128 + 15").isEqualTo(143);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void mainReportsATakenPortInOneLineWithExitCodeOne() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

    int code =
        Backend.run(
            new String[] {"--port", Integer.toString(backend.port()), "--name", "x"},
            new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
            new java.io.PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("127.0.0.1:" + backend.port())
        .contains("--port")
        .hasLineCount(1);
  }

  @Test
  void mainRejectsUnknownOptionsWithExitCodeTwo() {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

    int code =
        Backend.run(
            new String[] {"--prot", "1"}, System.out,
            new java.io.PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("unknown option: --prot");
  }
}
