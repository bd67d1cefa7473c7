package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.it.harness.Backend;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.SharedBackends;
import dev.tether.it.harness.WebSocketClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What SIGTERM does to a front end with work in flight, on a real container whose server JVM gets
 * the signal as an orchestrator sends it ({@link Process#destroy()}): the listening socket closes
 * at once (a new connection is refused), a request in flight finishes with its whole body, an open
 * WebSocket tunnel keeps carrying messages until the drain time is over and is then closed, and the
 * process exits within the drain time and a margin. The drain time is each container's own
 * setting: Jetty's {@code jetty.server.stopTimeout} (the {@code graceful} module the {@code tether}
 * module depends on), the valve's {@code drainTimeout} attribute on Tomcat.
 */
@ExtendWith(SharedBackends.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GracefulStopScenarios {

  /** Short, so that the scenario that waits it out stays cheap. */
  static final Duration DRAIN = Duration.ofSeconds(4);
  /** For the exit itself (a JVM's shutdown, on a loaded CI machine) once the drain is over. */
  static final Duration MARGIN = Duration.ofSeconds(4);
  /** {@code /stall/2}: the head at once, the body's second line two seconds later. */
  static final int STALL_SECONDS = 2;

  private final ContainerKind kind;
  private Backend backend;
  private ProxyContainer proxy;

  GracefulStopScenarios(ContainerKind kind) {
    this.kind = kind;
  }

  @BeforeAll
  void chooseBackend(SharedBackends shared) {
    backend = shared.all().get(0);
  }

  @AfterEach
  void stopContainer() {
    if (proxy != null) {
      proxy.stop();
    }
  }

  private ProxyContainer start(Duration drain) {
    proxy = kind.create();
    Map<String, String> keys = new java.util.LinkedHashMap<>();
    keys.put("endpoints", backend.address());
    Map<String, String> baseFiles = new java.util.LinkedHashMap<>();
    if (kind.isJetty()) {
      baseFiles.put("start.d/drain.ini", "jetty.server.stopTimeout=" + drain.toMillis() + "\n");
    } else {
      keys.put("drainTimeout", drain.toMillis() + "ms");
    }
    proxy.start(keys, baseFiles);
    return proxy;
  }

  @Test
  void inFlightWorkFinishesNewConnectionsAreRefusedAndTheProcessExitsWithinTheDrainTime()
      throws Exception {
    ProxyContainer proxy = start(DRAIN);
    URI base = proxy.baseUri();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    try (WebSocketClient socket = WebSocketClient.connect(
        URI.create("ws://127.0.0.1:" + base.getPort() + "/echo"))) {
      socket.send("before");
      assertThat(socket.receive()).isEqualTo(backend.name() + ": before");

      HttpResponse<InputStream> stalled = http.send(
          HttpRequest.newBuilder(base.resolve("/stall/" + STALL_SECONDS))
              .timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(stalled.statusCode()).isEqualTo(200);

      long signalled = System.nanoTime();
      proxy.process().terminate();

      assertThat(refusedWithin(base.getPort(), Duration.ofSeconds(3)))
          .as("%s: a new connection after SIGTERM is refused (log %s)", proxy, proxy.log())
          .isTrue();

      socket.send("during");
      assertThat(socket.receive()).as("the tunnel carries messages while draining")
          .isEqualTo(backend.name() + ": during");

      String body;
      try (InputStream in = stalled.body()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      long finished = System.nanoTime();
      assertThat(body).as("%s: the request in flight ends with its whole body (log %s)", proxy,
          proxy.log()).isEqualTo(backend.name() + " stalls\n" + backend.name() + " resumes\n");
      assertThat(Duration.ofNanos(finished - signalled)).isLessThan(DRAIN);

      String ended = socket.ended().get(DRAIN.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
      Duration tunnelEnded = Duration.ofNanos(System.nanoTime() - signalled);
      assertThat(tunnelEnded).as("the tunnel is closed when the drain time is over, not before (%s)",
          ended).isGreaterThanOrEqualTo(DRAIN.minusMillis(500));

      proxy.process().awaitExit(DRAIN.plus(MARGIN));
      assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("%s exits", proxy)
          .isLessThan(DRAIN.plus(MARGIN));
    }
  }

  @Test
  void withNothingInFlightTheProcessExitsWithoutWaitingOutTheDrainTime() {
    Duration longDrain = Duration.ofSeconds(30);
    ProxyContainer proxy = start(longDrain);
    long signalled = System.nanoTime();
    proxy.process().terminate();
    proxy.process().awaitExit(longDrain.plus(MARGIN));
    assertThat(Duration.ofNanos(System.nanoTime() - signalled))
        .as("%s: the stop waits only for what is in flight (log %s)", proxy, proxy.log())
        .isLessThan(longDrain.dividedBy(2));
  }

  /** Polls until a connection to {@code port} is refused. */
  private static boolean refusedWithin(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
      } catch (ConnectException refused) {
        return true;
      } catch (IOException other) {
        // A timeout: the port is not answering yet either way; look again.
      }
      Thread.sleep(50);
    }
    return false;
  }
}
