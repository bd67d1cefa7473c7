package dev.tether.it.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The repository's {@code compose.yaml} end to end: five helloworld v1 replicas and one v2,
 * discovered by DNS ({@code endpoints=dns:helloworld:5000}) by a Jetty front end with header
 * sessions and two Tomcat front ends with a cookie consistent hash.
 *
 * <p>Needs Docker with the Compose plugin and {@code demo-apps/target/tether-demo.jar} (the
 * reactor builds demo-apps first). Reported as skipped where Docker is absent. Costs about a
 * minute with a warm image cache, mostly image builds and container start.
 */
@Testcontainers(disabledWithoutDocker = true)
final class DemoComposeIT {

  /** helloworld (deploy.replicas 5) plus helloworld-v2, both behind the DNS name helloworld. */
  private static final int BACKENDS = 6;

  private static final String INSTANCE = "x-backend-instance";
  private static final String SESSION_HEADER = "x-session-header";
  private static final String HASH_COOKIE = "sticky-session-key";
  private static final Duration STARTUP = Duration.ofMinutes(4);
  private static final Duration DISCOVERY = Duration.ofSeconds(90);

  @Container
  static final ComposeContainer COMPOSE =
      new ComposeContainer(composeFile().toFile())
          .withLocalCompose(true)
          .withBuild(true)
          .withPull(false)
          // Host ports are not used (the ambassador exposes the services); 0 avoids clashes.
          .withEnv("TETHER_JETTY_PORT", "0")
          .withEnv("TETHER_TOMCAT_PORT", "0")
          .withEnv("TETHER_TOMCAT_B_PORT", "0")
          .withExposedService("jetty", 8080, routing())
          .withExposedService("tomcat", 8080, routing())
          .withExposedService("tomcat-b", 8080, routing())
          .withStartupTimeout(STARTUP);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Ready once the front end routes to some backend. */
  private static WaitStrategy routing() {
    return Wait.forHttp("/hello").forStatusCode(200).withStartupTimeout(STARTUP);
  }

  /** compose.yaml at the repository root, found from the module directory or the root. */
  private static Path composeFile() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("compose.yaml"))
          && Files.isDirectory(d.resolve("docker"))) {
        Path jar = d.resolve("demo-apps/target/tether-demo.jar");
        if (!Files.isRegularFile(jar)) {
          throw new IllegalStateException(
              jar + " is missing: build demo-apps first (./mvnw -DskipTests package)");
        }
        return d.resolve("compose.yaml");
      }
    }
    throw new IllegalStateException("no compose.yaml above " + dir);
  }

  private static URI uri(String service, String path) {
    return URI.create(
        "http://" + COMPOSE.getServiceHost(service, 8080) + ":"
            + COMPOSE.getServicePort(service, 8080) + path);
  }

  private static HttpResponse<String> get(String service, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(service, "/hello")).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<String> response =
        CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET /hello via %s", service).isEqualTo(200);
    return response;
  }

  private static String instance(HttpResponse<String> response) {
    return response.headers().firstValue(INSTANCE).orElseThrow();
  }

  @Test
  void jettyHeaderSessionNamesTheBackendAndSticks() throws Exception {
    HttpResponse<String> first = get("jetty");
    String served = instance(first);
    String session = first.headers().firstValue(SESSION_HEADER).orElseThrow();

    assertThat(first.body()).startsWith("Hello version: v").endsWith("instance: " + served + "\n");
    assertThat(new String(Base64.getDecoder().decode(session), StandardCharsets.UTF_8))
        .as("Envoy header state: base64 of the backend's ip:port")
        .matches("\\d+\\.\\d+\\.\\d+\\.\\d+:5000");

    for (int i = 0; i < 20; i++) {
      HttpResponse<String> next = get("jetty", SESSION_HEADER, session);
      assertThat(instance(next)).as("request %d with the session header", i).isEqualTo(served);
      assertThat(next.headers().firstValue(SESSION_HEADER))
          .as("same endpoint: no new session value")
          .isEmpty();
    }
  }

  @Test
  void tomcatSetsTheHashCookieAndItSticksThroughBothReplicas() throws Exception {
    HttpResponse<String> first = get("tomcat");
    String setCookie =
        first.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith(HASH_COOKIE + "="))
            .findFirst()
            .orElseThrow();
    assertThat(setCookie).matches(HASH_COOKIE + "=\"[0-9a-f]{16}\"; HttpOnly");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String served = instance(first);

    for (String service : List.of("tomcat", "tomcat-b")) {
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> next = get(service, "Cookie", cookie);
        assertThat(instance(next)).as("%s request %d with %s", service, i, cookie).isEqualTo(served);
        assertThat(next.headers().allValues("set-cookie")).as("cookie present: none generated").isEmpty();
      }
    }
  }

  @Test
  void twoTomcatReplicasAgreeOnEveryKeyOverAllBackends() throws Exception {
    // Each replica resolves helloworld on its own; poll until both see all six backends.
    long deadline = System.nanoTime() + DISCOVERY.toNanos();
    Map<String, String> viaA;
    Map<String, String> viaB;
    do {
      viaA = instancesByKey("tomcat");
      viaB = instancesByKey("tomcat-b");
    } while ((new HashSet<>(viaA.values()).size() < BACKENDS || !viaA.equals(viaB))
        && System.nanoTime() < deadline);

    assertThat(new HashSet<>(viaA.values())).as("backends reached over 120 keys").hasSize(BACKENDS);
    assertThat(viaB).as("tomcat-b versus tomcat, key by key").isEqualTo(viaA);
  }

  private static Map<String, String> instancesByKey(String service) throws Exception {
    Map<String, String> instances = new LinkedHashMap<>();
    for (int key = 0; key < 120; key++) {
      Optional<String> served =
          get(service, "Cookie", HASH_COOKIE + "=key-" + key).headers().firstValue(INSTANCE);
      instances.put("key-" + key, served.orElseThrow());
    }
    return instances;
  }
}
