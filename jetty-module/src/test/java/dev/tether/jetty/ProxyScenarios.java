package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.LocalReply;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One scenario suite for both entry points ({@link TetherProxyHandler} and
 * {@link TetherProxyServlet}): a real Jetty server running the proxy in front of three real
 * backends on 127.0.0.1, driven over real sockets.
 */
@Timeout(60)
abstract class ProxyScenarios {
  static final String SESSION_HEADER = "x-session-header";
  private static final long MIB = 1024 * 1024;

  /** A running proxy: its base URI, and the {@code tether.upstream} attribute of each request. */
  interface Proxy extends AutoCloseable {
    URI uri();

    List<String> upstreams();

    /** Stops the proxy's server. */
    @Override
    void close();
  }

  /** Starts the entry point under test, routing with {@code balancer}, on 127.0.0.1:0. */
  abstract Proxy start(Balancer balancer) throws Exception;

  final List<Backend> backends = new ArrayList<>();
  /** The proxy connector's idle timeout for the next {@link #start}; Jetty's default. */
  long connectorIdleMillis = 30_000;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @BeforeEach
  void startBackends() throws IOException {
    for (int i = 0; i < 3; i++) {
      Backend backend = new Backend();
      backends.add(backend);
      closeables.add(backend);
    }
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** A proxy over the three backends with these extra keys. */
  Proxy proxy(String... keyValues) throws Exception {
    return proxy(new RecordingBalancer(Tether.balancer(Tether.parseConfig(keys(keyValues)))));
  }

  Proxy proxy(Balancer balancer) throws Exception {
    Proxy proxy = start(balancer);
    closeables.add(proxy);
    return proxy;
  }

  Map<String, String> keys(String... keyValues) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("endpoints", backends.stream().map(Backend::address).collect(Collectors.joining(",")));
    for (int i = 0; i < keyValues.length; i += 2) {
      keys.put(keyValues[i], keyValues[i + 1]);
    }
    return keys;
  }

  HttpResponse<String> get(Proxy proxy, String path, String... headers)
      throws IOException, InterruptedException {
    return send(proxy, "GET", path, headers);
  }

  HttpResponse<String> send(Proxy proxy, String method, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(proxy.uri().resolve(path))
        .timeout(Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String backendOf(HttpResponse<?> response) {
    return response.headers().firstValue("X-Backend").orElse("none");
  }

  static String encode(String address) {
    return Base64.getEncoder().encodeToString(address.getBytes(StandardCharsets.UTF_8));
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  /** The value of the first {@code name=} cookie the response sets, as sent (quotes kept). */
  static String setCookieValue(HttpResponse<?> response, String name) {
    for (String setCookie : response.headers().allValues("set-cookie")) {
      if (setCookie.startsWith(name + "=")) {
        int end = setCookie.indexOf(';');
        return setCookie.substring(name.length() + 1, end < 0 ? setCookie.length() : end);
      }
    }
    return null;
  }

  // --- header sessions ------------------------------------------------------------------------

  @Test
  void headerSessionPinsEveryRequestToTheBackendItNames() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    for (Backend backend : backends) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> response =
            get(proxy, "/pinned?i=" + i, SESSION_HEADER, backend.sessionHeaderValue());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backendOf(response)).isEqualTo(backend.address());
        // Same endpoint as named: Envoy writes nothing back.
        assertThat(response.headers().firstValue(SESSION_HEADER)).isEmpty();
      }
    }
  }

  @Test
  void aRequestWithoutSessionGetsTheHeaderOfTheBackendThatServedIt() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    HttpResponse<String> first = get(proxy, "/first");
    assertThat(first.statusCode()).isEqualTo(200);
    String served = backendOf(first);
    assertThat(first.headers().allValues(SESSION_HEADER)).containsExactly(encode(served));
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> next = get(proxy, "/next", SESSION_HEADER, encode(served));
      assertThat(backendOf(next)).isEqualTo(served);
    }
  }

  @Test
  void upstreamAttributeNamesTheChosenBackend() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    Backend chosen = backends.get(2);
    get(proxy, "/attr", SESSION_HEADER, chosen.sessionHeaderValue());
    await(() -> !proxy.upstreams().isEmpty(), "the recorded attribute");
    assertThat(proxy.upstreams()).containsExactly(chosen.address());
  }

  // --- cookies --------------------------------------------------------------------------------

  @Test
  void cookieHashPolicyGeneratesACookieAndKeepsItsRequestsOnOneBackend() throws Exception {
    Proxy proxy = proxy("hashPolicy", "cookie:sticky;ttl=0s");
    HttpResponse<String> first = get(proxy, "/cart");
    String sticky = setCookieValue(first, "sticky");
    assertThat(sticky).as("generated cookie in %s", first.headers().map()).matches("\"[0-9a-f]{16}\"");
    Set<String> served = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> next = get(proxy, "/cart?i=" + i, "Cookie", "sticky=" + sticky);
      assertThat(setCookieValue(next, "sticky")).as("no new cookie when one is sent").isNull();
      served.add(backendOf(next));
    }
    assertThat(served).hasSize(1);
  }

  @Test
  void differentHashCookiesSpreadOverBackendsAndEachStaysPut() throws Exception {
    Proxy proxy = proxy("hashPolicy", "cookie:sticky");
    Set<String> used = new HashSet<>();
    for (int user = 0; user < 40; user++) {
      String cookie = "sticky=user-" + user;
      String backend = backendOf(get(proxy, "/a", "Cookie", cookie));
      assertThat(backendOf(get(proxy, "/b", "Cookie", cookie))).isEqualTo(backend);
      used.add(backend);
    }
    assertThat(used).hasSizeGreaterThan(1);
  }

  @Test
  void sessionCookiePinsAndIsWrittenOnlyWhenTheBackendChanges() throws Exception {
    Proxy proxy = proxy("sessionCookie", "tether-session");
    HttpResponse<String> first = get(proxy, "/");
    String value = setCookieValue(first, "tether-session");
    assertThat(value).isNotNull();
    assertThat(first.headers().allValues("set-cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("tether-session=").contains("HttpOnly"));
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> next = get(proxy, "/", "Cookie", "tether-session=" + value);
      assertThat(backendOf(next)).isEqualTo(backendOf(first));
      assertThat(setCookieValue(next, "tether-session")).isNull();
    }
  }

  @Test
  void backendSetCookieHeadersPassThroughUntouched() throws Exception {
    Proxy proxy = proxy("sessionCookie", "tether-session");
    HttpResponse<String> response = get(proxy, "/");
    assertThat(response.headers().allValues("set-cookie"))
        .contains(Backend.SET_COOKIE_PLAIN, Backend.SET_COOKIE_EXPIRES)
        .hasSize(3);
  }

  // --- failures -------------------------------------------------------------------------------

  @Test
  void aStoppedBackendsSessionMovesToAnotherBackend() throws Exception {
    // The first request leaves a pooled connection to the doomed backend; the next one may be
    // sent on it before the proxy sees it close, which is a reset (Istio's well-known 503 UC),
    // retried only under retryOn reset. New connections to a stopped backend are refused.
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER,
        "retryOn", "connect-failure,reset,503");
    Backend doomed = backends.get(1);
    assertThat(backendOf(get(proxy, "/", SESSION_HEADER, doomed.sessionHeaderValue())))
        .isEqualTo(doomed.address());
    doomed.close();

    HttpResponse<String> moved = get(proxy, "/", SESSION_HEADER, doomed.sessionHeaderValue());
    assertThat(moved.statusCode()).isEqualTo(200);
    String survivor = backendOf(moved);
    assertThat(survivor).isNotEqualTo(doomed.address()).isIn(
        backends.get(0).address(), backends.get(2).address());
    assertThat(moved.headers().allValues(SESSION_HEADER)).containsExactly(encode(survivor));
    for (int i = 0; i < 5; i++) {
      assertThat(backendOf(get(proxy, "/", SESSION_HEADER, encode(survivor)))).isEqualTo(survivor);
    }
  }

  @Test
  void aStrictSessionToAStoppedBackendAnswersEnvoysConnectFailure() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER, "sessionStrict", "true");
    Backend doomed = backends.get(0);
    doomed.close();
    HttpResponse<String> response = get(proxy, "/", SESSION_HEADER, doomed.sessionHeaderValue());
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo(LocalReply.CONNECTION_FAILURE.body());
    assertThat(response.headers().allValues("content-type")).containsExactly("text/plain");
    // Sessions on live backends are unaffected.
    Backend alive = backends.get(1);
    assertThat(backendOf(get(proxy, "/", SESSION_HEADER, alive.sessionHeaderValue())))
        .isEqualTo(alive.address());
  }

  @Test
  void aPostToAStoppedBackendIsRetriedElsewhereSinceNothingWasSent() throws Exception {
    RecordingBalancer balancer = new RecordingBalancer(Tether.balancer(
        Tether.parseConfig(keys("sessionHeader", SESSION_HEADER))));
    Proxy proxy = proxy(balancer);
    Backend doomed = backends.get(2);
    doomed.close();
    HttpResponse<String> response =
        send(proxy, "POST", "/order", SESSION_HEADER, doomed.sessionHeaderValue());
    assertThat(response.statusCode()).isEqualTo(200);
    String served = backendOf(response);
    assertThat(served).isNotEqualTo(doomed.address());
    await(() -> balancer.events("finish").size() == 1, "the second attempt to finish");
    assertThat(balancer.events("start"))
        .containsExactly("start " + doomed.address(), "start " + served);
    assertThat(balancer.events("failed")).containsExactly("failed " + doomed.address() + " CONNECT");
    assertThat(balancer.events("finish")).containsExactly("finish " + served + " 200");
  }

  @Test
  void aGetIsTriedAtMostThreeTimesThenAnswersEnvoysConnectFailure() throws Exception {
    RecordingBalancer balancer = new RecordingBalancer(Tether.balancer(
        Tether.parseConfig(keys("sessionHeader", SESSION_HEADER))));
    Proxy proxy = proxy(balancer);
    for (Backend backend : backends) {
      backend.close();
    }
    HttpResponse<String> response = get(proxy, "/");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo(LocalReply.CONNECTION_FAILURE.body());
    assertThat(response.headers().allValues("content-type")).containsExactly("text/plain");
    assertThat(response.headers().firstValue("content-length"))
        .contains(String.valueOf(LocalReply.CONNECTION_FAILURE.body().length()));
    await(() -> balancer.events("failed").size() == 3, "three attempts to fail");
    assertThat(balancer.events("start")).hasSize(3);
    assertThat(balancer.events("failed")).allSatisfy(e -> assertThat(e).endsWith(" CONNECT"));
    assertThat(balancer.events("finish")).isEmpty();
  }

  @Test
  void aBackends503IsRetriedElsewhereAndTheSessionMoves() throws Exception {
    RecordingBalancer balancer = new RecordingBalancer(Tether.balancer(
        Tether.parseConfig(keys("sessionHeader", SESSION_HEADER))));
    Proxy proxy = proxy(balancer);
    Backend shedding = backends.get(0);
    shedding.unavailable = true;
    HttpResponse<String> response = get(proxy, "/", SESSION_HEADER, shedding.sessionHeaderValue());
    assertThat(response.statusCode()).isEqualTo(200);
    String served = backendOf(response);
    assertThat(served).isNotEqualTo(shedding.address());
    assertThat(response.body()).isEqualTo(served);
    assertThat(response.headers().allValues(SESSION_HEADER)).containsExactly(encode(served));
    await(() -> balancer.events("finish").size() == 2, "two attempts to finish");
    assertThat(balancer.events("finish"))
        .containsExactly("finish " + shedding.address() + " 503", "finish " + served + " 200");
  }

  @Test
  void a503IsPassedThroughWhenItMayNotBeRetried() throws Exception {
    Backend shedding = backends.get(1);
    shedding.unavailable = true;
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    HttpResponse<String> post =
        send(proxy, "POST", "/", SESSION_HEADER, shedding.sessionHeaderValue());
    assertThat(post.statusCode()).isEqualTo(503);
    assertThat(post.body()).isEqualTo("down");
    assertThat(backendOf(post)).isEqualTo(shedding.address());

    Proxy noRetries = proxy("sessionHeader", SESSION_HEADER, "retries", "0");
    HttpResponse<String> get = get(noRetries, "/", SESSION_HEADER, shedding.sessionHeaderValue());
    assertThat(get.statusCode()).isEqualTo(503);
    assertThat(get.body()).isEqualTo("down");

    Proxy strict = proxy("sessionHeader", SESSION_HEADER, "sessionStrict", "true");
    HttpResponse<String> pinned = get(strict, "/", SESSION_HEADER, shedding.sessionHeaderValue());
    assertThat(pinned.statusCode()).isEqualTo(503);
    assertThat(pinned.body()).isEqualTo("down");
  }

  @Test
  void noHealthyEndpointAnswers503() throws Exception {
    String endpoints = backends.stream().map(b -> b.address() + ";health=UNHEALTHY")
        .collect(Collectors.joining(","));
    Proxy proxy = proxy(Tether.balancer(Tether.parseConfig(
        Map.of("endpoints", endpoints, "panicThreshold", "0"))));
    HttpResponse<String> response = get(proxy, "/");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("no healthy upstream");
    assertThat(response.headers().allValues("content-type")).containsExactly("text/plain");
  }

  @Test
  void everyForwardedRequestIsStartedAndFinishedOnce() throws Exception {
    RecordingBalancer balancer = new RecordingBalancer(Tether.balancer(
        Tether.parseConfig(keys("hashPolicy", "header:x-user"))));
    Proxy proxy = proxy(balancer);
    for (int i = 0; i < 12; i++) {
      assertThat(get(proxy, "/", "x-user", "u" + i).statusCode()).isEqualTo(200);
    }
    await(() -> balancer.events("finish").size() == 12, "twelve finishes");
    assertThat(balancer.events("start")).hasSize(12);
    assertThat(balancer.events("finish")).allSatisfy(e -> assertThat(e).endsWith(" 200"));
    List<String> startedAt = balancer.events("start").stream().map(e -> e.substring(6)).sorted().toList();
    List<String> finishedAt = balancer.events("finish").stream()
        .map(e -> e.substring(7, e.lastIndexOf(' '))).sorted().toList();
    assertThat(finishedAt).isEqualTo(startedAt);
  }

  // --- failures Envoy answers itself ---------------------------------------------------------

  /** A proxy over one scripted backend (and the three real ones), its session pinned there. */
  private Proxy scriptedProxy(ScriptedBackend scripted, RecordingBalancer[] recorded,
      String... keyValues) throws Exception {
    Map<String, String> keys = keys(keyValues);
    keys.put("endpoints", scripted.address() + "," + keys.get("endpoints"));
    keys.put("sessionHeader", SESSION_HEADER);
    recorded[0] = new RecordingBalancer(Tether.balancer(Tether.parseConfig(keys)));
    return proxy(recorded[0]);
  }

  private ScriptedBackend scripted(ScriptedBackend.Script script) throws IOException {
    ScriptedBackend backend = new ScriptedBackend(script);
    closeables.add(backend);
    return backend;
  }

  private static String pinned(ScriptedBackend backend) {
    return encode(backend.address());
  }

  /** Reads a request head from a scripted backend's socket. */
  private static void readRequestHead(java.net.Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    for (int matched = 0; matched < 4; ) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("EOF in the request head");
      }
      matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
    }
  }

  private static void writeRaw(java.net.Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  private static void reset(java.net.Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Test
  void aResetBeforeTheHeadAnswersConnectionTerminationAndIsRetriedOnlyUnderRetryOnReset()
      throws Exception {
    ScriptedBackend resetting = scripted(socket -> {
      readRequestHead(socket);
      reset(socket);
    });
    RecordingBalancer[] recorded = new RecordingBalancer[1];
    Proxy proxy = scriptedProxy(resetting, recorded);
    HttpResponse<String> response = get(proxy, "/", SESSION_HEADER, pinned(resetting));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo(LocalReply.CONNECTION_TERMINATION.body());
    assertThat(response.headers().allValues("content-type")).containsExactly("text/plain");
    assertThat(recorded[0].events("start")).hasSize(1);
    assertThat(recorded[0].events("failed"))
        .containsExactly("failed " + resetting.address() + " RESET");

    Proxy retrying = scriptedProxy(resetting, recorded, "retryOn", "reset");
    HttpResponse<String> retried = get(retrying, "/", SESSION_HEADER, pinned(resetting));
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(backendOf(retried)).isNotEqualTo(resetting.address());
    assertThat(retried.headers().allValues(SESSION_HEADER)).containsExactly(encode(backendOf(retried)));
  }

  @Test
  void aSilentBackendAnswers504AfterTheRequestTimeout() throws Exception {
    ScriptedBackend silent = scripted(socket -> {
      readRequestHead(socket);
      RawHttp.drain(socket.getInputStream());
    });
    RecordingBalancer[] recorded = new RecordingBalancer[1];
    Proxy proxy = scriptedProxy(silent, recorded, "requestTimeout", "500ms");
    long sent = System.nanoTime();
    HttpResponse<String> response = get(proxy, "/", SESSION_HEADER, pinned(silent));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)).isBetween(450L, 15_000L);
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).isEqualTo(LocalReply.REQUEST_TIMEOUT.body());
    assertThat(response.headers().allValues("content-type")).containsExactly("text/plain");
    assertThat(recorded[0].events("failed")).containsExactly("failed " + silent.address() + " TIMEOUT");
  }

  @Test
  void aSlowStreamIsNotCutByTheRequestTimeout() throws Exception {
    ScriptedBackend streaming = scripted(socket -> {
      readRequestHead(socket);
      writeRaw(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n");
      Thread.sleep(900);
      writeRaw(socket, "7\r\nsecond\n\r\n0\r\n\r\n");
      RawHttp.drain(socket.getInputStream());
    });
    RecordingBalancer[] recorded = new RecordingBalancer[1];
    Proxy proxy = scriptedProxy(streaming, recorded, "requestTimeout", "300ms");
    HttpResponse<String> response = get(proxy, "/events", SESSION_HEADER, pinned(streaming));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("first\nsecond\n");
    await(() -> recorded[0].events("finish").size() == 1, "the stream to finish");
    assertThat(recorded[0].events("failed")).isEmpty();
  }

  @Test
  void aBodyCutMidwayCutsTheClientResponse() throws Exception {
    ScriptedBackend cutting = scripted(socket -> {
      readRequestHead(socket);
      writeRaw(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      Thread.sleep(100);
      reset(socket);
    });
    RecordingBalancer[] recorded = new RecordingBalancer[1];
    Proxy proxy = scriptedProxy(cutting, recorded);
    try (java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(),
        proxy.uri().getPort())) {
      client.setSoTimeout(20_000);
      writeRaw(client, "GET / HTTP/1.1\r\nHost: t\r\n" + SESSION_HEADER + ": "
          + pinned(cutting) + "\r\n\r\n");
      String received;
      try {
        received = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      } catch (java.net.SocketException reset) {
        received = "";
      }
      assertThat(received).doesNotContain("500").doesNotContain("502").doesNotContain("<html");
      if (!received.isEmpty()) {
        assertThat(received).startsWith("HTTP/1.1 200 ").endsWith("abc");
      }
    }
    await(() -> recorded[0].events("failed").size() == 1, "the cut to be reported");
    assertThat(recorded[0].events("failed"))
        .containsExactly("failed " + cutting.address() + " RESET_DURING_BODY");
  }

  @Test
  void aResponseSilentForTheIdleTimeoutIsCut() throws Exception {
    ScriptedBackend stalling = scripted(socket -> {
      readRequestHead(socket);
      writeRaw(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
      RawHttp.drain(socket.getInputStream());
    });
    RecordingBalancer[] recorded = new RecordingBalancer[1];
    Proxy proxy = scriptedProxy(stalling, recorded, "idleTimeout", "500ms");
    HttpRequest request = HttpRequest.newBuilder(proxy.uri().resolve("/"))
        .header(SESSION_HEADER, pinned(stalling)).timeout(Duration.ofSeconds(20)).build();
    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    try (InputStream body = response.body()) {
      assertThat(new String(body.readNBytes(3), StandardCharsets.ISO_8859_1)).isEqualTo("abc");
      // The rest never comes: the proxy closes the connection once the stream was idle.
      org.assertj.core.api.Assertions.assertThatThrownBy(body::readAllBytes)
          .isInstanceOf(IOException.class);
    }
    await(() -> recorded[0].events("failed").size() == 1, "the idle cut to be reported");
    assertThat(recorded[0].events("failed"))
        .containsExactly("failed " + stalling.address() + " IDLE_TIMEOUT");
  }

  @Test
  void aWaitLongerThanTheConnectorsIdleTimeoutIsBoundedByTetherAlone() throws Exception {
    ScriptedBackend slow = scripted(socket -> {
      readRequestHead(socket);
      Thread.sleep(1500);
      writeRaw(socket, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate");
      RawHttp.drain(socket.getInputStream());
    });
    connectorIdleMillis = 500;
    RecordingBalancer[] recorded = new RecordingBalancer[1];
    Proxy proxy = scriptedProxy(slow, recorded, "requestTimeout", "10s");
    HttpResponse<String> response = get(proxy, "/slow", SESSION_HEADER, pinned(slow));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("late");
  }

  // --- malformed input ------------------------------------------------------------------------

  /** Session values that are broken in every way the codec can meet; none may cause a 5xx. */
  static List<String> malformedSessionValues(List<Backend> backends) {
    List<String> values = new ArrayList<>(List.of(
        "", " ", "%%%", "====", "MTI3", "not base64!", "YQ", "YQ=", "Zm9v\tYmFy",
        encode("garbage"), encode("127.0.0.1"), encode("127.0.0.1:99999"), encode("127.0.0.1:0"),
        encode(":80"), encode("[::1]:80"), encode("[::1"), encode("10.255.255.1:9"),
        encode("127.0.0.1:" + (backends.get(0).port() + 1000)), "A".repeat(4000),
        "\"" + encode(backends.get(0).address()), "\"\"", "CgA=", "Cg==", "CgoxLjIuMy40Ojgw",
        "EIDy1soG", "Cg0xMC4wLjAuMTo4MDgwEIDy1soG", "//////////8="));
    return values;
  }

  @Test
  void malformedSessionHeadersNeverCause5xx() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    Set<String> live = backends.stream().map(Backend::address).collect(Collectors.toSet());
    for (String value : malformedSessionValues(backends)) {
      HttpResponse<String> response = get(proxy, "/", SESSION_HEADER, value);
      assertThat(response.statusCode()).as("header %s", value).isEqualTo(200);
      assertThat(backendOf(response)).as("header %s", value).isIn(live);
    }
    RawHttp.Response latin1 = RawHttp.exchange(proxy.uri(), "GET / HTTP/1.1\r\nHost: t\r\n"
        + SESSION_HEADER + ": \u00e9t\u00e9\u00ff\r\nConnection: close\r\n");
    assertThat(latin1.status()).isEqualTo(200);
  }

  @Test
  void malformedSessionCookiesNeverCause5xx() throws Exception {
    Proxy proxy = proxy("sessionCookie", "tether-session");
    Set<String> live = backends.stream().map(Backend::address).collect(Collectors.toSet());
    List<String> values = new ArrayList<>(malformedSessionValues(backends));
    values.add("\"");
    values.add("a=b=c");
    for (String value : values) {
      HttpResponse<String> response = get(proxy, "/", "Cookie", "tether-session=" + value);
      assertThat(response.statusCode()).as("cookie %s", value).isEqualTo(200);
      assertThat(backendOf(response)).as("cookie %s", value).isIn(live);
    }
    for (String cookie : List.of("tether-session", "=; ;", ";;;", "tether-session=a; tether-session=b")) {
      assertThat(get(proxy, "/", "Cookie", cookie).statusCode()).as("cookie %s", cookie)
          .isEqualTo(200);
    }
  }

  // --- headers --------------------------------------------------------------------------------

  @Test
  void hopByHopRequestHeadersAreDroppedAndForwardedHeadersAdded() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    Backend target = backends.get(0);
    RawHttp.Response response = RawHttp.exchange(proxy.uri(), String.join("\r\n",
        "GET /hop?x=%41 HTTP/1.1",
        "Host: app.example:8443",
        "Connection: close, X-Drop-Me",
        "X-Drop-Me: 1",
        "Keep-Alive: timeout=5",
        "TE: trailers",
        "Proxy-Authorization: Basic Zm9vOmJhcg==",
        "Proxy-Connection: keep-alive",
        "X-Forwarded-For: 203.0.113.9",
        "X-Keep-Me: yes",
        "User-Agent: raw-test",
        SESSION_HEADER + ": " + target.sessionHeaderValue(),
        ""));
    assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
    Headers received = target.lastRequestHeaders();
    assertThat(received).isNotNull();
    // (Upgrade is hop-by-hop too, but Jetty's connector itself rejects a stray one with 400.)
    for (String hop : List.of("X-Drop-Me", "Keep-Alive", "TE", "Proxy-Authorization",
        "Proxy-Connection")) {
      assertThat(received.containsKey(hop)).as("%s forwarded: %s", hop, received).isFalse();
    }
    assertThat(Backend.values(received, "Connection")).doesNotContain("X-Drop-Me");
    assertThat(Backend.values(received, "Host")).containsExactly("app.example:8443");
    assertThat(Backend.values(received, "X-Forwarded-For")).containsExactly("203.0.113.9,127.0.0.1");
    assertThat(Backend.values(received, "X-Forwarded-Proto")).containsExactly("http");
    assertThat(Backend.values(received, "X-Forwarded-Host")).containsExactly("app.example:8443");
    assertThat(Backend.values(received, "X-Keep-Me")).containsExactly("yes");
    assertThat(Backend.values(received, "User-Agent")).containsExactly("raw-test");
  }

  @Test
  void hopByHopResponseHeadersAreDropped() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    RawHttp.Response response = RawHttp.exchange(proxy.uri(),
        "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.names()).doesNotContain("keep-alive", "proxy-authenticate", "upgrade",
        "x-connection-scoped");
    assertThat(response.values("Connection")).allSatisfy(
        v -> assertThat(v).doesNotContainIgnoringCase("x-connection-scoped"));
    assertThat(response.values("Set-Cookie"))
        .contains(Backend.SET_COOKIE_PLAIN, Backend.SET_COOKIE_EXPIRES);
    assertThat(response.values("X-Backend")).hasSize(1);
    assertThat(response.body()).isEqualTo(response.values("X-Backend").get(0));
  }

  @Test
  void noUserAgentIsInventedAndTheTargetIsForwardedAsReceived() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    Backend backend = backends.get(1);
    String target = "/a%20b/%7Ec;p=1?q=%20&r=%2F&s";
    RawHttp.Response response = RawHttp.exchange(proxy.uri(), "GET " + target + " HTTP/1.1\r\n"
        + "Host: t\r\nConnection: close\r\n" + SESSION_HEADER + ": " + backend.sessionHeaderValue()
        + "\r\n");
    assertThat(response.status()).as("%s", response.body()).isEqualTo(200);
    assertThat(backend.lastRequestTarget()).isEqualTo(target);
    assertThat(backend.lastRequestHeaders().containsKey("User-Agent")).isFalse();
  }

  @Test
  void aBodyAfterExpect100ContinueIsDeliveredWithoutExpect() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    Backend target = backends.get(0);
    HttpRequest request = HttpRequest.newBuilder(proxy.uri().resolve("/upload"))
        .header(SESSION_HEADER, target.sessionHeaderValue())
        .expectContinue(true)
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString("twelve bytes"))
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    CRC32 crc = new CRC32();
    crc.update("twelve bytes".getBytes(StandardCharsets.UTF_8));
    assertThat(response.body()).isEqualTo("12 " + crc.getValue());
    assertThat(target.lastRequestHeaders().containsKey("Expect")).isFalse();
    assertThat(Backend.values(target.lastRequestHeaders(), "Content-Length")).containsExactly("12");
  }

  // --- streaming ------------------------------------------------------------------------------

  @Test
  void aLargeUploadStreamsThroughWithoutBeingBuffered() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    Backend target = backends.get(0);
    long total = 48 * MIB;
    long gateAt = 24 * MIB;
    target.uploadMidpoint = 4 * MIB;
    CRC32 sent = new CRC32();
    // Sends half the body, then waits until the backend has seen part of it: a proxy that held
    // the body whole would never let that happen, and this stream would give up.
    InputStream body = new InputStream() {
      long position;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        if (position == total) {
          return -1;
        }
        if (position == gateAt) {
          try {
            if (!target.uploadMidpointReached.await(20, TimeUnit.SECONDS)) {
              throw new IOException("the backend saw nothing of a half-sent body");
            }
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
        }
        long limit = position < gateAt ? gateAt : total;
        int n = (int) Math.min(length, limit - position);
        for (int i = 0; i < n; i++) {
          buffer[offset + i] = Backend.pattern(position + i);
        }
        sent.update(buffer, offset, n);
        position += n;
        return n;
      }
    };
    HttpRequest request = HttpRequest.newBuilder(proxy.uri().resolve("/upload"))
        .header(SESSION_HEADER, target.sessionHeaderValue())
        .timeout(Duration.ofSeconds(45))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> body))
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(total + " " + sent.getValue());
  }

  @Test
  void aLargeDownloadStreamsThroughWithoutBeingBuffered() throws Exception {
    Proxy proxy = proxy("sessionHeader", SESSION_HEADER);
    Backend target = backends.get(2);
    CountDownLatch gate = new CountDownLatch(1);
    target.downloadGate = gate;
    long total = 48 * MIB;
    HttpRequest request = HttpRequest.newBuilder(proxy.uri().resolve("/download?bytes=" + total))
        .header(SESSION_HEADER, target.sessionHeaderValue())
        .timeout(Duration.ofSeconds(45))
        .build();
    HttpResponse<InputStream> response =
        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    long received = 0;
    long mismatches = 0;
    byte[] buffer = new byte[65536];
    try (InputStream in = response.body()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] != Backend.pattern(received + i)) {
            mismatches++;
          }
        }
        received += n;
        // The backend holds the second half until the client has a good part of the first.
        if (received >= 8 * MIB) {
          gate.countDown();
        }
      }
    }
    assertThat(received).isEqualTo(total);
    assertThat(mismatches).isZero();
  }
}
