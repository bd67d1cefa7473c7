package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping Tomcat drains the valve: a request it is forwarding finishes before the valve closes
 * its backend connections, for at most {@code drainTimeout}; past it, the stop goes on.
 */
final class DrainOnStopTest {

  @TempDir Path baseDir;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .build();

  @Test
  void aRequestInFlightWhenTomcatStopsIsAnsweredBeforeTheValveCloses() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir,
            Map.of("endpoints", backend.address(), "drainTimeout", "10s"))) {
      CompletableFuture<HttpResponse<String>> slow = send(front);
      awaitInFlight(front.valve, 1);

      long stopping = System.nanoTime();
      CompletableFuture<Void> stopped = CompletableFuture.runAsync(front::close);
      Thread.sleep(500);
      assertThat(stopped).as("the stop waits for the request").isNotDone();
      backend.gate.countDown();

      HttpResponse<String> response = slow.get(10, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("X-Backend")).hasValue("b1");
      stopped.get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void theStopGoesOnOnceTheDrainTimeIsOver() throws Exception {
    try (Backend backend = new Backend("b1");
        Front front = Front.started(baseDir,
            Map.of("endpoints", backend.address(), "drainTimeout", "300ms"))) {
      CompletableFuture<HttpResponse<String>> slow = send(front);
      awaitInFlight(front.valve, 1);

      long stopping = System.nanoTime();
      front.close();
      Duration took = Duration.ofNanos(System.nanoTime() - stopping);
      assertThat(took).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
      backend.gate.countDown();
      slow.handle((response, failure) -> null).get(10, TimeUnit.SECONDS);
    }
  }

  private CompletableFuture<HttpResponse<String>> send(Front front) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(front.url("/slow")))
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitInFlight(TetherValve valve, int requests) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (valve.getRequestsInFlight() != requests) {
      assertThat(System.nanoTime()).as("%d request(s) in flight", requests).isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
