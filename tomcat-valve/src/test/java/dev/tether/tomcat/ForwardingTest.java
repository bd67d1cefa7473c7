package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.api.LocalReply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the valve sends to a backend and what it relays back, header by header. */
final class ForwardingTest {
  private static final HttpClient client = TestClients.plain();

  @TempDir Path baseDir;

  /** The request headers a backend's {@code /echo} listed, as lower-case name -> values. */
  private static Map<String, List<String>> echoed(String body) {
    return Arrays.stream(body.split("\n"))
        .filter(line -> !line.isEmpty())
        .map(line -> line.split(": ", 2))
        .collect(Collectors.groupingBy(field -> field[0],
            Collectors.mapping(field -> field.length > 1 ? field[1] : "", Collectors.toList())));
  }

  @Test
  void hopByHopHeadersStayOnTheirHopAndForwardedHeadersAreAdded() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()))) {
      RawHttp.Answer answer = RawHttp.exchange(front.port(),
          "GET /echo?q=1 HTTP/1.1",
          "Host: shop.example:8443",
          "Connection: keep-alive, X-Drop-Me",
          "X-Drop-Me: secret",
          "Keep-Alive: timeout=5",
          "TE: trailers",
          "Proxy-Authorization: Basic Zm9vOmJhcg==",
          "X-Forwarded-For: 203.0.113.7",
          "X-Forwarded-Host: forged.example",
          "X-Kept: yes",
          "Cookie: a=1",
          "Cookie: b=2",
          "Expect: 100-continue",
          "Content-Length: 0");
      assertThat(answer.status()).isEqualTo(200);
      Map<String, List<String>> seen = echoed(answer.text());
      assertThat(seen).doesNotContainKeys(
          "x-drop-me", "keep-alive", "te", "proxy-authorization", "expect", "upgrade");
      assertThat(seen.get("connection")).isNull();
      assertThat(seen.get("x-kept")).containsExactly("yes");
      // Appended as Envoy appends it: a comma, no space.
      assertThat(seen.get("x-forwarded-for")).containsExactly("203.0.113.7,127.0.0.1");
      assertThat(seen.get("x-forwarded-proto")).containsExactly("http");
      assertThat(seen.get("x-forwarded-host")).containsExactly("shop.example:8443");
      assertThat(seen.get("cookie")).containsExactly("a=1; b=2");
      // The client's Host as it is, as behind Envoy.
      assertThat(seen.get("host")).containsExactly("shop.example:8443");
      assertThat(backend.seen.peek().target()).isEqualTo("/echo?q=1");
    }
  }

  @Test
  void backendSetCookiesPassThroughUntouchedBesideTheSessionCookie() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir,
            Map.of("endpoints", backend.address(), "sessionCookie", "route"))) {
      HttpResponse<String> answer = client.send(
          HttpRequest.newBuilder(URI.create(front.url("/cookies"))).build(),
          BodyHandlers.ofString());
      assertThat(answer.headers().allValues("set-cookie")).hasSize(3).contains(
          "a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
          "b=\"x y\"; HttpOnly");
      assertThat(answer.headers().allValues("set-cookie"))
          .anyMatch(cookie -> cookie.startsWith("route=\"") && cookie.endsWith("HttpOnly"));
      assertThat(answer.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
    }
  }

  @Test
  void redirectsAreRelayedNotFollowedAndNoCookieIsStored() throws Exception {
    try (Backend backend = new Backend("b1");
        Backend elsewhere = new Backend("elsewhere");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()))) {
      backend.redirectTo = "http://" + elsewhere.address() + "/target";
      HttpResponse<String> answer = client.send(
          HttpRequest.newBuilder(URI.create(front.url("/redirect"))).build(),
          BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(302);
      assertThat(answer.headers().firstValue("location")).contains(backend.redirectTo);
      assertThat(elsewhere.requests()).isZero();

      client.send(HttpRequest.newBuilder(URI.create(front.url("/cookies"))).build(),
          BodyHandlers.discarding());
      HttpResponse<String> echo = client.send(
          HttpRequest.newBuilder(URI.create(front.url("/echo"))).build(), BodyHandlers.ofString());
      assertThat(echoed(echo.body())).doesNotContainKey("cookie");
    }
  }

  @Test
  void aRequestTargetTomcatAcceptsButRfc3986ForbidsIsEncodedNotRefused() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()))) {
      RawHttp.Answer answer = RawHttp.exchange(front.port(),
          "GET /search?q=%zz&sort=a%2Cb HTTP/1.1", "Host: front", "Connection: close");
      assertThat(answer.status()).isEqualTo(200);
      assertThat(backend.seen.peek().target()).isEqualTo("/search?q=%25zz&sort=a%2Cb");
    }
  }

  @Test
  void aSlowBackendGets504AfterTheRequestTimeout() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir,
            Map.of("endpoints", backend.address(), "requestTimeout", "300ms"))) {
      long start = System.nanoTime();
      HttpResponse<String> answer = client.send(
          HttpRequest.newBuilder(URI.create(front.url("/slow"))).build(), BodyHandlers.ofString());
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(answer.statusCode()).isEqualTo(504);
      assertThat(answer.body()).isEqualTo("upstream request timeout");
      assertThat(elapsedMillis).isBetween(250L, 10_000L);
      backend.gate.countDown();
    }
  }

  @Test
  void aBackendFailingMidBodyCutsTheClientConnectionInsteadOfEndingTheBodyCleanly()
      throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()))) {
      try (RawHttp http = new RawHttp(front.port())) {
        http.sendHead("GET /die HTTP/1.1", "Host: front");
        String status = http.readLine();
        assertThat(status).startsWith("HTTP/1.1 200");
        while (!http.readLine().isEmpty()) {
          // skip the response head
        }
        assertThatThrownBy(() -> {
          while (http.readChunk() != null) {
            // read until the proxy gives up
          }
        }).isInstanceOf(IOException.class);
      }
    }
  }

  @Test
  void allBackendsDownAnswers503WithEnvoysText() throws Exception {
    Backend backend = new Backend("b1");
    backend.close();
    try (Front front = Front.started(baseDir, Map.of("endpoints", backend.address()))) {
      HttpResponse<String> answer = client.send(
          HttpRequest.newBuilder(URI.create(front.url("/"))).build(), BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(503);
      assertThat(answer.body()).isEqualTo(LocalReply.CONNECTION_FAILURE.body());
      assertThat(answer.headers().allValues("content-type")).containsExactly("text/plain");
      assertThat(answer.headers().firstValueAsLong("content-length"))
          .hasValue(LocalReply.CONNECTION_FAILURE.body().length());
    }
  }

  @Test
  void aResetBeforeTheHeadIsEnvoysConnectionTerminationRetriedOnlyUnderRetryOnReset()
      throws Exception {
    for (String retryOn : new String[] {"connect-failure,503", "reset"}) {
      try (RawBackend backend = new RawBackend();
          Front front = Front.started(baseDir.resolve(retryOn.substring(0, 3)),
              Map.of("endpoints", backend.address(), "retryOn", retryOn));
          RawHttp client = new RawHttp(front.port())) {
        client.sendHead("GET /reset HTTP/1.1", "Host: front");
        // Istio's default: two retries, so three attempts under retryOn reset; one without.
        int attempts = retryOn.equals("reset") ? 3 : 1;
        for (int i = 0; i < attempts; i++) {
          RawBackend.Accepted server = backend.next();
          server.socket.setSoLinger(true, 0); // a reset, not a FIN
          server.close();
        }
        RawHttp.Answer answer = client.readAnswer(true);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.text()).isEqualTo(LocalReply.CONNECTION_TERMINATION.body());
        assertThat(answer.headers("content-type")).containsExactly("text/plain");
        assertThat(backend.poll()).as("no attempt beyond " + attempts).isNull();
      }
    }
  }

  @Test
  void aBodySilentForTheIdleTimeoutCutsTheClientConnectionAfterTheHead() throws Exception {
    try (RawBackend backend = new RawBackend();
        Front front = Front.started(baseDir,
            Map.of("endpoints", backend.address(), "idleTimeout", "300ms"));
        RawHttp client = new RawHttp(front.port())) {
      client.sendHead("GET /stall HTTP/1.1", "Host: front");
      RawBackend.Accepted server = backend.next();
      server.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst");
      assertThat(client.readLine()).startsWith("HTTP/1.1 200");
      String length = null;
      for (String line = client.readLine(); !line.isEmpty(); line = client.readLine()) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = line.substring(15).trim();
        }
      }
      assertThat(length).isEqualTo("100");
      assertThat(new String(client.in.readNBytes(5), java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("first");
      long start = System.nanoTime();
      assertThat(client.in.read()).as("the connection is closed, the body cut").isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(100L, 10_000L);
      assertThat(server.endsWithin(5_000)).as("and the backend connection too").isTrue();
    }
  }

  @Test
  void headRequestsRelayTheLengthWithoutABody() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir, Map.of("endpoints", backend.address()))) {
      RawHttp.Answer answer = RawHttp.exchange(front.port(),
          "HEAD /download?bytes=12345 HTTP/1.1", "Host: front", "Connection: close");
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.header("content-length")).isEqualTo("12345");
      assertThat(backend.seen.peek().method()).isEqualTo("HEAD");
    }
  }
}
