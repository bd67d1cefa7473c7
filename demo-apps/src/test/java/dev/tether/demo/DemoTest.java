package dev.tether.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class DemoTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static RunningDemo demo;

  @BeforeAll
  static void start() throws Exception {
    demo = RunningDemo.start(DemoSettings.ephemeral());
  }

  @AfterAll
  static void stop() {
    demo.close();
  }

  private static HttpResponse<String> get(int port, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
            .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET /hello on port %d", port).isEqualTo(200);
    return response;
  }

  private static String instance(HttpResponse<String> response) {
    return response.headers().firstValue(Backend.INSTANCE_HEADER).orElseThrow();
  }

  private static Backend backendNamed(RunningDemo running, String name) {
    return running.backends().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void startsIstiosHelloworldTopologyFiveV1AndOneV2() {
    assertThat(demo.backends()).extracting(Backend::name).containsExactly(
        "helloworld-v1-1", "helloworld-v1-2", "helloworld-v1-3", "helloworld-v1-4",
        "helloworld-v1-5", "helloworld-v2-1");
    assertThat(demo.backends()).extracting(Backend::version)
        .containsExactly("v1", "v1", "v1", "v1", "v1", "v2");
    assertThat(demo.jettyPort()).isPositive().isNotEqualTo(demo.tomcatPort());
  }

  @Test
  void jettyHeaderSessionDecodesToTheServingBackendAndSticks() throws Exception {
    HttpResponse<String> first = get(demo.jettyPort());
    String served = instance(first);
    String session = first.headers().firstValue(RunningDemo.SESSION_HEADER).orElseThrow();

    assertThat(new String(Base64.getDecoder().decode(session), StandardCharsets.UTF_8))
        .isEqualTo(backendNamed(demo, served).address());
    assertThat(first.body()).endsWith("instance: " + served + "\n");
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> next = get(demo.jettyPort(), RunningDemo.SESSION_HEADER, session);
      assertThat(instance(next)).as("request %d", i).isEqualTo(served);
      assertThat(next.headers().firstValue(RunningDemo.SESSION_HEADER))
          .as("same backend: no new session value").isEmpty();
    }
  }

  @Test
  void jettyHeaderNamingAnotherBackendRoutesThere() throws Exception {
    Backend v2 = backendNamed(demo, "helloworld-v2-1");
    String session = Base64.getEncoder().encodeToString(
        v2.address().getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> response = get(demo.jettyPort(), RunningDemo.SESSION_HEADER, session);

    assertThat(response.body()).isEqualTo("Hello version: v2, instance: helloworld-v2-1\n");
  }

  @Test
  void tomcatSetsTheHashCookieAndItSticks() throws Exception {
    HttpResponse<String> first = get(demo.tomcatPort());
    String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie).matches(RunningDemo.HASH_COOKIE + "=\"[0-9a-f]{16}\"; HttpOnly");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String served = instance(first);

    for (int i = 0; i < 20; i++) {
      HttpResponse<String> next = get(demo.tomcatPort(), "Cookie", cookie);
      assertThat(instance(next)).as("request %d with %s", i, cookie).isEqualTo(served);
      assertThat(next.headers().firstValue("set-cookie")).as("cookie sent: none generated").isEmpty();
    }
  }

  @Test
  void tomcatSpreadsCookieValuesOverTheBackendsAndRepeatsThem() throws Exception {
    Map<String, String> first = instancesByKey(demo, 60);
    Map<String, String> again = instancesByKey(demo, 60);

    assertThat(again).isEqualTo(first);
    assertThat(new HashSet<>(first.values())).as("60 keys over 6 backends").hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void maglevFlagSwitchesTheTomcatAlgorithmAndKeysStillStick() throws Exception {
    try (RunningDemo maglev = RunningDemo.start(DemoSettings.ephemeral().withMaglev(true))) {
      Map<String, String> first = instancesByKey(maglev, 30);
      Map<String, String> again = instancesByKey(maglev, 30);

      assertThat(again).isEqualTo(first);
      assertThat(new HashSet<>(first.values())).hasSizeGreaterThanOrEqualTo(3);
      assertThat(Walkthrough.render(maglev)).contains("consistent hash (MAGLEV)");
    }
  }

  private static Map<String, String> instancesByKey(RunningDemo running, int keys) throws Exception {
    Map<String, String> instances = new LinkedHashMap<>();
    for (int key = 0; key < keys; key++) {
      HttpResponse<String> response =
          get(running.tomcatPort(), "Cookie", RunningDemo.HASH_COOKIE + "=user-" + key);
      instances.put("user-" + key, instance(response));
    }
    return instances;
  }

  @Test
  void webSocketThroughTheJettyFrontEndLandsOnTheHeaderSessionsBackend() throws Exception {
    HttpResponse<String> first = get(demo.jettyPort());
    String session = first.headers().firstValue(RunningDemo.SESSION_HEADER).orElseThrow();

    assertEchoedBy(instance(first), demo.jettyPort(), RunningDemo.SESSION_HEADER, session);
  }

  @Test
  void webSocketThroughTheTomcatFrontEndLandsOnTheCookiesBackend() throws Exception {
    HttpResponse<String> first = get(demo.tomcatPort());
    String setCookie = first.headers().firstValue("set-cookie").orElseThrow();

    assertEchoedBy(instance(first), demo.tomcatPort(),
        "Cookie", setCookie.substring(0, setCookie.indexOf(';')));
  }

  /** Messages both ways over {@code /echo} on {@code port}: each comes back from {@code instance}. */
  private static void assertEchoedBy(String instance, int port, String... headers)
      throws Exception {
    EchoListener echo = new EchoListener();
    WebSocket socket = EchoListener.open(CLIENT,
        URI.create("ws://127.0.0.1:" + port + "/echo"), echo, headers);
    try {
      for (int i = 1; i <= 3; i++) {
        socket.sendText("message " + i, true).get(10, TimeUnit.SECONDS);
        assertThat(echo.nextText()).as("echo %d through port %d", i, port)
            .isEqualTo(instance + ": message " + i);
      }
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }
    assertThat(echo.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
  }

  @Test
  void walkthroughShowsTheRealPortsAndCommands() {
    String text = Walkthrough.render(demo);

    assertThat(text)
        .contains("curl -si http://127.0.0.1:" + demo.jettyPort() + "/hello")
        .contains("curl -si -c /tmp/tether-cookies http://127.0.0.1:" + demo.tomcatPort() + "/hello")
        .contains("-H \"x-session-header: $S\" http://127.0.0.1:" + demo.jettyPort() + "/echo")
        .contains("-b /tmp/tether-cookies http://127.0.0.1:" + demo.tomcatPort() + "/echo")
        .contains("helloworld-v2-1   " + backendNamed(demo, "helloworld-v2-1").address())
        .contains("consistent hash (RING_HASH)");
  }

  @Test
  void helpListsPortsAndOptions() {
    Captured run = Captured.run("--help");

    assertThat(run.code).isZero();
    assertThat(run.out).contains("--jetty-port", "8080", "--tomcat-port", "8081",
        "--backend-base-port", "9001", "--maglev");
    assertThat(run.err).isEmpty();
  }

  @Test
  void takenJettyPortIsOneLineNamingPortAndOptionWithExitCodeOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Captured run = Captured.run("--jetty-port", Integer.toString(port), "--tomcat-port", "0",
          "--backend-base-port", "0");

      assertThat(run.code).isEqualTo(1);
      assertThat(run.err).isEqualTo("port " + port + " on 127.0.0.1 is already in use (Jetty front "
          + "end); choose another with --jetty-port, or --jetty-port 0 for a free one\n");
    }
  }

  @Test
  void takenTomcatPortNamesTomcatPortOption() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Captured run = Captured.run("--jetty-port", "0", "--tomcat-port", Integer.toString(port),
          "--backend-base-port", "0");

      assertThat(run.code).isEqualTo(1);
      assertThat(run.err).startsWith("port " + port + " on 127.0.0.1 is already in use (Tomcat")
          .contains("--tomcat-port").hasLineCount(1);
    }
  }

  @Test
  void takenBackendPortNamesBackendBasePortAndStopsTheBackendsAlreadyStarted() throws Exception {
    try (ServerSocket taken = portWithTwoFreeBelow()) {
      int base = taken.getLocalPort() - 2; // the third backend's port is taken
      Captured run = Captured.run("--jetty-port", "0", "--tomcat-port", "0",
          "--backend-base-port", Integer.toString(base));

      assertThat(run.code).isEqualTo(1);
      assertThat(run.err).contains("port " + taken.getLocalPort())
          .contains("backend helloworld-v1-3").contains("--backend-base-port").hasLineCount(1);
      // The first two were started and must be released again.
      for (int port : new int[] {base, base + 1}) {
        try (ServerSocket free = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
          assertThat(free.getLocalPort()).isEqualTo(port);
        }
      }
    }
  }

  /** A bound port whose two lower neighbours were free a moment ago (bounded attempts). */
  private static ServerSocket portWithTwoFreeBelow() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    for (int attempt = 0; attempt < 50; attempt++) {
      ServerSocket candidate = new ServerSocket(0, 1, loopback);
      int port = candidate.getLocalPort();
      if (isFree(loopback, port - 2) && isFree(loopback, port - 1)) {
        return candidate;
      }
      candidate.close();
    }
    throw new IllegalStateException("no port with two free ports below it in 50 attempts");
  }

  private static boolean isFree(InetAddress address, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new java.net.InetSocketAddress(address, port), 1);
      return true;
    } catch (java.io.IOException busy) {
      return false;
    }
  }

  @Test
  void unknownOptionIsExitCodeTwo() {
    Captured run = Captured.run("--jety-port", "1");

    assertThat(run.code).isEqualTo(2);
    assertThat(run.err).startsWith("unknown option: --jety-port");
  }

  @Test
  void badTetherKeyOfASingleFrontEndIsReportedWithExitCodeOne() {
    Captured run = Captured.run("tomcat", "--port", "0", "--endpoints", "127.0.0.1:1",
        "--loadBalancer", "ROUND_ROBIN");

    assertThat(run.code).isEqualTo(1);
    assertThat(run.err).contains("loadBalancer: ROUND_ROBIN (expected:").hasLineCount(1);
  }

  /** One in-process run of the command line, with its exit code and output. */
  private static final class Captured {
    int code;
    String out;
    String err;

    static Captured run(String... args) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Captured captured = new Captured();
      captured.code = Demo.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      captured.out = out.toString(StandardCharsets.UTF_8);
      captured.err = err.toString(StandardCharsets.UTF_8);
      return captured;
    }
  }
}
