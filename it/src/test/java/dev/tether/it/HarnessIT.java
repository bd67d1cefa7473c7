package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.it.harness.Backend;
import dev.tether.it.harness.Client;
import dev.tether.it.harness.ProbeServer;
import dev.tether.it.harness.PrometheusScrape;
import dev.tether.it.harness.RawConnection;
import dev.tether.it.harness.Reply;
import dev.tether.it.harness.SharedBackends;
import dev.tether.it.harness.WebSocketClient;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The harness itself, so that a scenario failure points at a container and not at the test
 * machinery: backends answer as the demo contract says (their WebSocket echo, through both
 * WebSocket clients, and the routes that fail on purpose included), a killed backend refuses
 * connections, and the probe counts what connects to it.
 */
@ExtendWith(SharedBackends.Extension.class)
final class HarnessIT {

  private final Client client = new Client();

  @Test
  void sharedBackendsAnswerWithTheirOwnName(SharedBackends backends) {
    for (Backend backend : backends.all()) {
      Reply reply = client.get(URI.create("http://" + backend.address()), "/hello");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.instance()).isEqualTo(backend.name());
      assertThat(reply.body()).startsWith("Hello version: v1, instance: " + backend.name());
    }
  }

  @Test
  void backendEchoAnswersTheWebSocketClientAndRawFrames(SharedBackends backends) {
    Backend b1 = backends.byName("b1");
    try (WebSocketClient socket =
        WebSocketClient.connect(URI.create("ws://" + b1.address() + "/echo"))) {
      socket.send("through the JDK client");
      assertThat(socket.receive()).isEqualTo("b1: through the JDK client");
    }
    String key = RawConnection.newWebSocketKey();
    try (RawConnection connection = RawConnection.open(URI.create("http://" + b1.address()))) {
      connection.send("GET /echo HTTP/1.1\r\nHost: " + b1.address() + "\r\nConnection: Upgrade\r\n"
          + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key
          + "\r\n\r\n");
      RawConnection.Head head = connection.readHead();
      assertThat(head.status()).as("%s", head).isEqualTo(101);
      assertThat(head.header("sec-websocket-accept")).hasValue(RawConnection.webSocketAccept(key));

      connection.sendText("x".repeat(300));
      assertThat(connection.readText()).isEqualTo("b1: " + "x".repeat(300));
    }
  }

  @Test
  void resetAndStallRoutesFailAsTheScenariosExpect(SharedBackends backends) {
    URI b2 = URI.create("http://" + backends.byName("b2").address());
    try (RawConnection connection = RawConnection.open(b2)) {
      connection.send("GET /reset HTTP/1.1\r\nHost: b2\r\n\r\n");
      RawConnection.Ending ending = connection.readUntilClosed(Duration.ofSeconds(5));
      assertThat(ending.closed()).isTrue();
      assertThat(ending.received()).as("nothing before the reset").isEmpty();
    }
    try (RawConnection connection = RawConnection.open(b2)) {
      connection.send("GET /stall/1 HTTP/1.1\r\nHost: b2\r\nConnection: close\r\n\r\n");
      assertThat(connection.readHead().status()).isEqualTo(200);
      assertThat(connection.readLine()).isEqualTo("b2 stalls");
      RawConnection.Ending ending = connection.readUntilClosed(Duration.ofSeconds(5));
      assertThat(ending.text()).as("the rest, after the stall").isEqualTo("b2 resumes\n");
      assertThat(ending.closed()).isTrue();
    }
  }

  @Test
  void killedBackendRefusesConnections() {
    URI uri;
    try (Backend backend = Backend.start("harness-kill")) {
      uri = URI.create("http://" + backend.address());
      assertThat(client.get(uri, "/health").status()).isEqualTo(200);

      backend.kill();

      assertThat(backend.isAlive()).isFalse();
      assertThatThrownBy(() -> client.get(uri, "/health")).isInstanceOf(UncheckedIOException.class);
    }
  }

  @Test
  void probeCountsEachConnection() {
    try (ProbeServer probe = ProbeServer.start()) {
      assertThatThrownBy(() -> client.get(URI.create("http://" + probe.address()), "/"))
          .isInstanceOf(UncheckedIOException.class);

      assertThat(probe.connections()).as("the JDK client may retry once").isBetween(1, 2);
    }
  }

  @Test
  void prometheusScrapeReadsTheTextFormat() {
    PrometheusScrape scrape = PrometheusScrape.parse("""
        # HELP requests_total Attempts, with a \\\\ and a\\nsecond line.
        # TYPE requests_total counter
        requests_total{balancer="shop",endpoint="127.0.0.1:9001"} 3.0
        requests_total{balancer="shop",endpoint="[::1]:9002",} 4.0 1700000000000
        # a comment
        quoted{v="a \\"b\\" \\\\ c\\nd"} +Inf
        bare 1.5E9
        """);

    assertThat(scrape.type("requests_total")).hasValue("counter");
    assertThat(scrape.help("requests_total")).hasValue("Attempts, with a \\ and a\nsecond line.");
    assertThat(scrape.families()).containsExactly("requests_total");
    assertThat(scrape.sum("requests_total")).isEqualTo(7);
    assertThat(scrape.value("requests_total", Map.of("endpoint", "[::1]:9002"))).isEqualTo(4);
    assertThat(scrape.samples("quoted")).singleElement().satisfies(sample -> {
      assertThat(sample.labels()).containsExactly(Map.entry("v", "a \"b\" \\ c\nd"));
      assertThat(sample.value()).isInfinite();
    });
    assertThat(scrape.value("bare", Map.of())).isEqualTo(1.5e9);
    assertThatThrownBy(() -> scrape.value("requests_total", Map.of("balancer", "shop")))
        .hasMessageContaining("more than one");
    assertThatThrownBy(() -> PrometheusScrape.parse("ok 1\nbroken{a=\"b} 1\n"))
        .hasMessageStartingWith("line 2: broken{a=\"b} 1");
  }
}
