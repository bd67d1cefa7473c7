package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
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
    assertThat(response.headers().firstValue("server")).as("no Server header to relay").isEmpty();
  }

  @Test
  void everyResponseNamesTheInstanceEvenErrors() throws Exception {
    for (String path : List.of("/hello", "/health", "/status/503", "/nope", "/headers", "/echo",
        "/delay/x", "/stall/x")) {
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
  void headersSeesHostAndJoinsRepeatedFieldsWithCommas() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "GET /headers HTTP/1.1\r\nHost: example.test:81\r\n"
          + "X-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 10.0.0.2\r\nConnection: close\r\n\r\n");
      String response = new String(readUntilClosed(socket.getInputStream()), StandardCharsets.UTF_8);

      assertThat(response).startsWith("HTTP/1.1 200")
          .contains("\"Host\": \"example.test:81\"")
          .contains("\"X-Forwarded-For\": \"10.0.0.1,10.0.0.2\"");
    }
  }

  @Test
  void headAnswersTheHeadWithoutABody() throws Exception {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://" + backend.address() + "/hello"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-length")).hasValue("45");
    assertThat(response.body()).isEmpty();
  }

  @Test
  void webSocketOnEchoAnswersEachTextMessageWithTheInstanceName() throws Exception {
    EchoListener echo = new EchoListener();
    WebSocket socket =
        EchoListener.open(CLIENT, URI.create("ws://" + backend.address() + "/echo"), echo);
    try {
      for (String message : List.of("hello", "second message", "")) {
        socket.sendText(message, true).get(10, TimeUnit.SECONDS);
        assertThat(echo.nextText()).isEqualTo("helloworld-v1-1: " + message);
      }
      socket.sendBinary(ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xff}), true)
          .get(10, TimeUnit.SECONDS);
      assertThat(echo.binaries.poll(10, TimeUnit.SECONDS)).containsExactly(0, 1, (byte) 0xff);
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }
    assertThat(echo.closed.get(10, TimeUnit.SECONDS)).as("the backend's close code")
        .isEqualTo(WebSocket.NORMAL_CLOSURE);
  }

  @Test
  void webSocketHandshakeIs101WithTheInstanceHeader() throws Exception {
    try (Socket socket = connect()) {
      String head = head(socket, "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");

      assertThat(head).startsWith("HTTP/1.1 101 ")
          .containsIgnoringCase("upgrade: websocket")
          // RFC 6455 section 1.3: the accept value for the RFC's own sample key.
          .containsIgnoringCase("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
          .containsIgnoringCase("x-backend-instance: helloworld-v1-1");
    }
  }

  @Test
  void echoWithoutAnUpgradeIs426NamingWebSocket() throws Exception {
    HttpResponse<String> response = get("/echo");

    assertThat(response.statusCode()).isEqualTo(426);
    assertThat(response.headers().firstValue("upgrade")).hasValue("websocket");
  }

  @Test
  void resetClosesTheConnectionWithoutAnyResponse() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "GET /reset HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      byte[] received = readUntilClosed(socket.getInputStream());

      assertThat(received).as("bytes before the connection ended").isEmpty();
    }
    assertThat(get("/health").statusCode()).as("the backend itself goes on").isEqualTo(200);
  }

  @Test
  void stallSendsTheHeadAndFirstLineThenWaitsBeforeTheRest() throws Exception {
    HttpResponse<InputStream> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://" + backend.address() + "/stall/1")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader body = new BufferedReader(
        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValueAsLong("content-length"))
          .hasValue(("helloworld-v1-1 stalls\nhelloworld-v1-1 resumes\n").length());

      assertThat(body.readLine()).isEqualTo("helloworld-v1-1 stalls");
      long firstLine = System.nanoTime();
      assertThat(body.readLine()).isEqualTo("helloworld-v1-1 resumes");
      long secondLine = System.nanoTime();

      assertThat(TimeUnit.NANOSECONDS.toMillis(secondLine - firstLine))
          .as("pause between the two lines of /stall/1").isGreaterThanOrEqualTo(500);
      assertThat(body.readLine()).isNull();
    }
  }

  @Test
  void stallIsValidated() throws Exception {
    assertThat(get("/stall/-1").statusCode()).isEqualTo(400);
    assertThat(get("/stall/later").statusCode()).isEqualTo(400);
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

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", backend.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Sends {@code request} and returns the response head, up to its blank line. */
  private static String head(Socket socket, String request) throws IOException {
    send(socket, request);
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      head.write(b);
      if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        break;
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static void send(Socket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Everything read until EOF, or until the connection was reset. */
  private static byte[] readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    try {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        received.write(buffer, 0, read);
      }
    } catch (java.net.SocketException reset) {
      // "Connection reset": the RST the route sends.
    }
    return received.toByteArray();
  }
}
