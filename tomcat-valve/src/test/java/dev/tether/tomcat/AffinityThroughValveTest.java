package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.HeaderFields;
import dev.tether.api.LocalReply;
import dev.tether.api.RequestView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session affinity end to end: a client, an embedded Tomcat with the valve in its Engine, and
 * three real backends on 127.0.0.1.
 */
final class AffinityThroughValveTest {
  private static final String SESSION_HEADER = "x-session-header";

  private static final HttpClient client = TestClients.plain();

  @TempDir Path baseDir;

  static String headerValue(String address) {
    return Base64.getEncoder().encodeToString(address.getBytes(StandardCharsets.US_ASCII));
  }

  private static HttpResponse<String> get(Front front, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(front.url(path)));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), BodyHandlers.ofString());
  }

  private static String servedBy(HttpResponse<String> response) {
    return response.headers().firstValue("x-backend").orElse("none: " + response.statusCode());
  }

  @Test
  void headerSessionPinsEveryLaterRequestToTheBackendNamedInTheFirstAnswer() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "sessionHeader", SESSION_HEADER))) {
      HttpResponse<String> first = get(front, "/cart");
      assertThat(first.statusCode()).isEqualTo(200);
      Backend pinned = cluster.named(servedBy(first));
      assertThat(first.headers().firstValue(SESSION_HEADER))
          .contains(headerValue(pinned.address()));

      for (int i = 0; i < 20; i++) {
        HttpResponse<String> next = get(front, "/cart/" + i, SESSION_HEADER,
            headerValue(pinned.address()));
        assertThat(servedBy(next)).isEqualTo(pinned.name);
        // The request already named the endpoint that served it: nothing to write (Envoy).
        assertThat(next.headers().firstValue(SESSION_HEADER)).isEmpty();
      }
      for (Backend other : cluster.backends) {
        HttpResponse<String> named = get(front, "/", SESSION_HEADER, headerValue(other.address()));
        assertThat(servedBy(named)).isEqualTo(other.name);
      }
    }
  }

  @Test
  void cookieHashPolicyGeneratesACookieAndKeepsEachValueOnOneBackend() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir, Map.of("endpoints", cluster.endpoints(),
            "hashPolicy", "cookie:sticky-session-key;ttl=0s"))) {
      HttpResponse<String> first = get(front, "/");
      List<String> setCookies = first.headers().allValues("set-cookie");
      assertThat(setCookies).hasSize(1);
      assertThat(setCookies.get(0)).matches("sticky-session-key=\"[0-9a-f]{16}\"; HttpOnly");
      String cookie = setCookies.get(0).substring(0, setCookies.get(0).indexOf(';'));
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> next = get(front, "/" + i, "Cookie", cookie);
        assertThat(servedBy(next)).isEqualTo(servedBy(first));
        assertThat(next.headers().allValues("set-cookie")).isEmpty();
      }

      Random random = new Random(42);
      Map<String, String> backendOfValue = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        String value = Long.toHexString(random.nextLong());
        backendOfValue.put(value, servedBy(get(front, "/", "Cookie", "sticky-session-key=" + value)));
      }
      assertThat(new HashSet<>(backendOfValue.values())).hasSizeGreaterThanOrEqualTo(2)
          .allMatch(name -> name.startsWith("b"));
      for (Map.Entry<String, String> entry : backendOfValue.entrySet()) {
        HttpResponse<String> again = get(front, "/", "Cookie", "sticky-session-key=" + entry.getKey());
        assertThat(servedBy(again)).isEqualTo(entry.getValue());
      }
    }
  }

  @Test
  void sessionMovesToAnotherBackendWhenThePinnedOneStops() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "sessionHeader", SESSION_HEADER))) {
      Backend pinned = cluster.named(servedBy(get(front, "/")));
      pinned.stop();

      HttpResponse<String> moved = get(front, "/", SESSION_HEADER, headerValue(pinned.address()));
      assertThat(moved.statusCode()).isEqualTo(200);
      Backend now = cluster.named(servedBy(moved));
      assertThat(now).isNotSameAs(pinned);
      assertThat(moved.headers().firstValue(SESSION_HEADER)).contains(headerValue(now.address()));

      for (int i = 0; i < 5; i++) {
        HttpResponse<String> next = get(front, "/", SESSION_HEADER, headerValue(now.address()));
        assertThat(servedBy(next)).isEqualTo(now.name);
        assertThat(next.headers().firstValue(SESSION_HEADER)).isEmpty();
      }
    }
  }

  @Test
  void strictSessionAnswers503WhenThePinnedBackendStops() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir, Map.of("endpoints", cluster.endpoints(),
            "sessionHeader", SESSION_HEADER, "sessionStrict", "true"))) {
      Backend pinned = cluster.named(servedBy(get(front, "/")));
      pinned.stop();
      int before = cluster.backends.stream().mapToInt(Backend::requests).sum();

      HttpResponse<String> rejected = get(front, "/", SESSION_HEADER, headerValue(pinned.address()));
      assertThat(rejected.statusCode()).isEqualTo(503);
      assertThat(rejected.headers().firstValue(SESSION_HEADER)).isEmpty();
      assertThat(cluster.backends.stream().mapToInt(Backend::requests).sum()).isEqualTo(before);

      // Requests without a session are balanced as usual, around the stopped backend.
      for (int i = 0; i < 10; i++) {
        assertThat(get(front, "/").statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void aPostToAStoppedPinnedBackendIsRetriedElsewhereSinceNothingWasSent() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "sessionHeader", SESSION_HEADER))) {
      // Pinned by the session value alone: the valve has no kept-alive connection to it (below).
      Backend pinned = cluster.backends.get(0);
      pinned.stop();

      // A refused connection means the backend never saw the POST: Envoy retries a connect
      // failure whatever the method, and the session moves to the backend that answered.
      HttpResponse<String> answer = postOrder(front, pinned);
      assertThat(answer.statusCode()).isEqualTo(200);
      Backend now = cluster.named(servedBy(answer));
      assertThat(now).isNotSameAs(pinned);
      assertThat(answer.headers().firstValue(SESSION_HEADER)).contains(headerValue(now.address()));
      assertThat(now.seen).extracting(Backend.Seen::method).containsExactly("POST");
    }
  }

  @Test
  void aPostToAStoppedBackendWithAKeptAliveConnectionIsAConnectFailureAndRetried()
      throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "sessionHeader", SESSION_HEADER))) {
      Backend pinned = cluster.named(servedBy(get(front, "/")));
      pinned.stop();
      int before = cluster.backends.stream().mapToInt(Backend::requests).sum();

      // The valve holds a pooled connection the backend has closed. It is probed before the body
      // goes out, so the POST is never written to it: the valve finds the backend gone, as it
      // would without the pooled connection, and the POST goes to another backend once.
      HttpResponse<String> answer = postOrder(front, pinned);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(servedBy(answer)).isNotEqualTo(pinned.name);
      assertThat(cluster.backends.stream().mapToInt(Backend::requests).sum())
          .isEqualTo(before + 1);
    }
  }

  @Test
  void aPostToAStrictSessionWhoseBackendStoppedIsAnsweredWithEnvoysConnectFailure()
      throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir, Map.of("endpoints", cluster.endpoints(),
            "sessionHeader", SESSION_HEADER, "sessionStrict", "true"))) {
      Backend pinned = cluster.backends.get(0);
      pinned.stop();
      HttpResponse<String> answer = postOrder(front, pinned);
      // The balancer still counts the endpoint healthy (no health checks here), so the session
      // is routed to it, the connection is refused, and a strict session never moves.
      assertThat(answer.statusCode()).isEqualTo(503);
      assertThat(answer.body()).isEqualTo(LocalReply.CONNECTION_FAILURE.body());
      assertThat(cluster.backends.stream().mapToInt(Backend::requests).sum()).isZero();
    }
  }

  private static HttpResponse<String> postOrder(Front front, Backend pinned)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(front.url("/order")))
        .header(SESSION_HEADER, headerValue(pinned.address()))
        .POST(HttpRequest.BodyPublishers.ofString("pay once")).build(), BodyHandlers.ofString());
  }

  @Test
  void idempotentRequestsAreRetriedOnConnectFailureAtMostTwiceWhereTheBalancerSays()
      throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            // Outlier ejection off: it would change the ring between the prediction and the
            // request it predicts.
            Map.of("endpoints", cluster.endpoints(), "hashPolicy", "header:x-user",
                "consecutive5xxErrors", "0"))) {
      cluster.named("b1").stop();
      cluster.named("b2").stop();
      Balancer balancer = front.valve.getBalancer();
      int retried = 0;
      for (int user = 0; user < 30; user++) {
        RequestView view = new HeaderOnlyRequest("x-user", "user-" + user);
        // Where Envoy would go: the first pick, then up to two retries avoiding tried hosts.
        Decision decision = balancer.route(view);
        int retries = 0;
        while (!decision.endpoint().address().equals(cluster.named("b3").address())
            && retries < 2) {
          decision = balancer.retry(view, decision);
          retries++;
        }
        boolean reachesLiveBackend =
            decision.endpoint().address().equals(cluster.named("b3").address());
        if (reachesLiveBackend && retries > 0) {
          retried++;
        }

        HttpResponse<String> answer = get(front, "/", "x-user", "user-" + user);
        assertThat(answer.statusCode()).as("user-" + user).isEqualTo(reachesLiveBackend ? 200 : 503);
        if (reachesLiveBackend) {
          assertThat(servedBy(answer)).isEqualTo("b3");
        }
      }
      assertThat(retried).as("requests that reached b3 only by a retry").isGreaterThan(5);
    }
  }

  /** A GET carrying one header, from a fixed client address. */
  private record HeaderOnlyRequest(String name, String value) implements RequestView {
    @Override public String method() { return "GET"; }
    @Override public String pathAndQuery() { return "/"; }
    @Override public List<String> headers(String header) {
      return header.equalsIgnoreCase(name) ? List.of(value) : List.of();
    }
    @Override public HeaderFields fields() {
      return new HeaderFields() {
        @Override public int size() { return 1; }
        @Override public String name(int index) { return name; }
        @Override public String value(int index) { return value; }
      };
    }
    @Override public String authority() { return "front"; }
    @Override public String scheme() { return "http"; }
    @Override public String protocol() { return "HTTP/1.1"; }
    @Override public String remoteAddress() { return "127.0.0.1"; }
    @Override public int remotePort() { return 40000; }
    @Override public String localAddress() { return "127.0.0.1"; }
    @Override public int localPort() { return 8080; }
  }

  @Test
  void aBackend503IsRetriedElsewhereForIdempotentRequestsAndRelayedForOthers() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "sessionHeader", SESSION_HEADER))) {
      Backend overloaded = cluster.named("b1");
      overloaded.failWith = 503;

      HttpResponse<String> moved = get(front, "/", SESSION_HEADER, headerValue(overloaded.address()));
      assertThat(moved.statusCode()).isEqualTo(200);
      Backend now = cluster.named(servedBy(moved));
      assertThat(now).isNotSameAs(overloaded);
      assertThat(moved.headers().firstValue(SESSION_HEADER)).contains(headerValue(now.address()));
      assertThat(overloaded.requests()).isEqualTo(1);

      HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(front.url("/")))
          .header(SESSION_HEADER, headerValue(overloaded.address()))
          .POST(HttpRequest.BodyPublishers.ofString("once")).build(), BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(503);
      assertThat(servedBy(post)).isEqualTo("b1");
      assertThat(overloaded.requests()).isEqualTo(2);

      overloaded.failWith = 500;
      HttpResponse<String> error = get(front, "/", SESSION_HEADER, headerValue(overloaded.address()));
      assertThat(error.statusCode()).as("500 is not in Istio's default retryOn").isEqualTo(500);
    }
  }

  @Test
  void malformedOrForgedSessionValuesNeverFailAndNeverReachANonEndpoint() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "sessionHeader", SESSION_HEADER))) {
      String decoy = cluster.decoy.address();
      List<String> forged = List.of(
          headerValue(decoy),
          headerValue("[::1]:" + cluster.decoy.port()),
          headerValue("localhost:" + cluster.decoy.port()),
          headerValue("127.0.0.1:1"),
          headerValue(""),
          headerValue(cluster.backends.get(0).address() + "\u0000" + decoy),
          headerValue(cluster.backends.get(0).address() + "/").substring(1),
          "not base64 !!",
          "====",
          "x".repeat(6000),
          Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0, 1, (byte) 0x80}));
      for (String value : forged) {
        HttpResponse<String> answer = get(front, "/", SESSION_HEADER, value);
        assertThat(answer.statusCode()).as(value).isEqualTo(200);
        assertThat(servedBy(answer)).as(value).startsWith("b");
      }
      // Bytes outside ASCII, which the JDK client will not send.
      RawHttp.Answer raw = RawHttp.exchange(front.port(), "GET / HTTP/1.1",
          "Host: front", SESSION_HEADER + ": \u00ff\u00fe\u00e9t\u00e9", "Connection: close");
      assertThat(raw.status()).isEqualTo(200);
      assertThat(cluster.decoy.requests()).isZero();
    }
  }

  @Test
  void aSessionValueOverTomcatsHeaderLimitGetsTomcatsOwn4xxNeverA5xx() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "sessionHeader", SESSION_HEADER))) {
      HttpResponse<String> answer = get(front, "/", SESSION_HEADER, "A".repeat(14_668));
      assertThat(answer.statusCode()).isBetween(400, 499);
      assertThat(cluster.decoy.requests()).isZero();
    }
  }

  @Test
  void forgedSessionCookiesNeverFailAndNeverReachANonEndpoint() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir, Map.of("endpoints", cluster.endpoints(),
            "sessionCookie", "override_host", "sessionCookieTtl", "60s"))) {
      HttpResponse<String> first = get(front, "/");
      String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
      assertThat(setCookie).startsWith("override_host=\"").contains("Max-Age=60").endsWith("HttpOnly");
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      assertThat(servedBy(get(front, "/", "Cookie", cookie))).isEqualTo(servedBy(first));

      String decoy = cluster.decoy.address();
      byte[] decoyProto = new byte[2 + decoy.length()];
      decoyProto[0] = 0x0A;
      decoyProto[1] = (byte) decoy.length();
      System.arraycopy(decoy.getBytes(StandardCharsets.US_ASCII), 0, decoyProto, 2, decoy.length());
      List<String> forged = List.of(
          Base64.getEncoder().encodeToString(decoyProto),
          "\"" + Base64.getEncoder().encodeToString(decoyProto) + "\"",
          headerValue(decoy),
          Base64.getEncoder().encodeToString(new byte[] {0x0A, 0x7f, 0x31}),
          Base64.getEncoder().encodeToString(new byte[] {0x10, (byte) 0xff, (byte) 0xff}),
          "%%%",
          "\"\"");
      for (String value : forged) {
        HttpResponse<String> answer = get(front, "/", "Cookie", "override_host=" + value);
        assertThat(answer.statusCode()).as(value).isEqualTo(200);
        assertThat(servedBy(answer)).as(value).startsWith("b");
      }
      assertThat(cluster.decoy.requests()).isZero();
    }
  }

  @Test
  void requestsOutsideThePathPrefixContinueDownThePipeline() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "pathPrefix", "/api"))) {
      assertThat(servedBy(get(front, "/api"))).startsWith("b");
      assertThat(servedBy(get(front, "/api/orders?id=1"))).startsWith("b");
      assertThat(get(front, "/apis").body()).isEqualTo("local");
      assertThat(get(front, "/other/api").body()).isEqualTo("local");
      assertThat(get(front, "/").body()).isEqualTo("local");
      assertThat(get(front, "/API/x").body()).isEqualTo("local");
      int proxied = cluster.backends.stream().mapToInt(Backend::requests).sum();
      assertThat(proxied).isEqualTo(2);
    }
  }

  @Test
  void theAccessLogNamesTheUpstreamOfEachProxiedRequest() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir,
            Map.of("endpoints", cluster.endpoints(), "pathPrefix", "/api"))) {
      HttpResponse<String> proxied = get(front, "/api/logged");
      get(front, "/local-only");
      String upstream = cluster.named(servedBy(proxied)).address();
      List<String> lines = TestClients.awaitLines(front.accessLog, 2);
      assertThat(lines).contains("GET /api/logged HTTP/1.1 200 " + upstream,
          "GET /local-only HTTP/1.1 200 -");
    }
  }

  @Test
  void proxiedRequestsAreLoggedEvenWhenNoContextMapsThem() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(
            new Front(baseDir, Map.of("endpoints", cluster.endpoints()), false))) {
      HttpResponse<String> proxied = get(front, "/no/context/here");
      String upstream = cluster.named(servedBy(proxied)).address();
      assertThat(TestClients.awaitLines(front.accessLog, 1))
          .containsExactly("GET /no/context/here HTTP/1.1 200 " + upstream);
    }
  }

  @Test
  void aStoppedBackendIsStillInTheBalancerButServesNothing() throws Exception {
    try (Cluster cluster = new Cluster();
        Front front = Front.started(baseDir, Map.of("endpoints", cluster.endpoints()))) {
      cluster.named("b2").stop();
      Set<String> servers = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        HttpResponse<String> answer = get(front, "/" + i);
        assertThat(answer.statusCode()).isEqualTo(200);
        servers.add(servedBy(answer));
      }
      assertThat(servers).doesNotContain("b2").isSubsetOf("b1", "b3");
      assertThat(front.valve.getBalancer().endpoints()).hasSize(3);
    }
  }
}
