package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.it.harness.Backend;
import dev.tether.it.harness.Client;
import dev.tether.it.harness.ProbeServer;
import dev.tether.it.harness.Reply;
import dev.tether.it.harness.SharedBackends;
import java.io.UncheckedIOException;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The harness itself, so that a scenario failure points at a container and not at the test
 * machinery: backends answer as the demo contract says, a killed backend refuses connections, and
 * the probe counts what connects to it.
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
}
