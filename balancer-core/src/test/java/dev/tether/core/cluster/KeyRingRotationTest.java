package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Outcome;
import dev.tether.api.ResponseHeader;
import dev.tether.api.SessionStatus;
import dev.tether.core.CapturedLog;
import dev.tether.core.Fixtures;
import dev.tether.core.Inspection;
import dev.tether.core.KeyRing;
import dev.tether.core.NonceSource;
import dev.tether.core.Rings;
import dev.tether.core.TestRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sealed session values in a running cluster: the runtime re-reads the key ring file every
 * {@code fileRefreshRate}, so keys rotate without a restart, a broken file keeps the last good
 * ring, and JMX shows which ring is in use. (What a balancer reads and writes with a given ring is
 * {@code dev.tether.core.SealedSessionsTest}.)
 */
final class KeyRingRotationTest {
  private static final String SIX = Fixtures.hosts(9001, 9006);
  private static final String HEADER = "x-session";

  @TempDir Path dir;
  private final TestCluster cluster = new TestCluster();
  private final KeyRing ringA = Rings.ring("A", 1);
  private final KeyRing ringBA = Rings.ring("B", 2, "A", 1);

  @AfterEach
  void close() {
    cluster.close();
  }

  private void writeRing(String... lines) {
    Rings.write(dir.resolve("keys.txt"), lines);
  }

  private static TestRequest withHeader(String value) {
    return TestRequest.get("/hello").header(HEADER, value);
  }

  private static String only(List<ResponseHeader> headers, String name) {
    assertThat(headers).as("response headers").hasSize(1);
    assertThat(headers.get(0).name()).isEqualTo(name);
    return headers.get(0).value();
  }

  private static long now() {
    return TestCluster.CLOCK.millis() / 1000;
  }

  @Test
  void rotationHonoursEverySessionAndReSealsWithTheNewKey() {
    writeRing(Rings.line("A", 1));
    Balancer balancer = cluster.start(dir, "endpoints", SIX, "sessionHeader", HEADER,
        "sessionSeal", "sealed", "sessionSealKeys", "keys.txt", "fileRefreshRate", "2s");
    Endpoint e3 = cluster.endpoint("127.0.0.1:9003");
    String sealedByA = Inspection.seal(ringA, e3.address(), 0, NonceSource.seeded(4));
    assertThat(cluster.mbeanAttribute("ActiveSessionKey")).isEqualTo("A");

    writeRing(Rings.line("B", 2), Rings.line("A", 1));
    cluster.advance(Duration.ofSeconds(1));
    assertThat(cluster.mbeanAttribute("SessionKeyIds")).as("not yet re-read").isEqualTo("A");
    cluster.advance(Duration.ofSeconds(1));
    assertThat(cluster.mbeanAttribute("SessionKeyIds")).isEqualTo("B,A");

    Decision old = balancer.route(withHeader(sealedByA));
    assertThat(old.endpoint()).isEqualTo(e3);
    assertThat(old.renewSession()).isTrue();
    String sealedByB = only(balancer.responseHeaders(old, old.endpoint()), HEADER);
    assertThat(Inspection.unseal(ringBA, sealedByB, now()).keyId()).isEqualTo("B");
    Decision next = balancer.route(withHeader(sealedByB));
    assertThat(next.endpoint()).isEqualTo(e3);
    assertThat(balancer.responseHeaders(next, next.endpoint())).isEmpty();

    writeRing(Rings.line("B", 2));
    cluster.advance(Duration.ofSeconds(2));
    assertThat(balancer.route(withHeader(sealedByA)).session()).isEqualTo(SessionStatus.INVALID);
    assertThat(balancer.route(withHeader(sealedByB)).endpoint()).isEqualTo(e3);
    assertThat(cluster.mbeanAttribute("RenewedSessionValues")).isEqualTo("1");
    assertThat(cluster.mbeanAttribute("SealedSessionValues")).isEqualTo("1");
    assertThat(cluster.mbeanAttribute("SessionSeal")).isEqualTo("sealed");
  }

  @Test
  void withSealingOffJmxSaysSoAndEnvoysValuesAreWrittenAsBefore() {
    Balancer balancer = cluster.start(dir, "endpoints", SIX, "sessionHeader", HEADER);
    assertThat(cluster.mbeanAttribute("SessionSeal")).isEqualTo("off");
    assertThat(cluster.mbeanAttribute("ActiveSessionKey")).isEmpty();
    assertThat(cluster.mbeanAttribute("SessionKeyIds")).isEmpty();
    assertThat(cluster.mbeanAttribute("SealedSessionValues")).isEqualTo("0");
    assertThat(cluster.mbeanAttribute("LastKeyRingError")).isEmpty();
    Decision first = balancer.route(TestRequest.get("/hello"));
    assertThat(only(balancer.responseHeaders(first, first.endpoint()), HEADER))
        .isEqualTo(Inspection.encodeHeaderSession(first.endpoint().address()));
    Decision renewing = new Decision(first.endpoint(), Outcome.SESSION, SessionStatus.PINNED,
        first.endpoint().address(), 0, 0, List.of(), null, true);
    assertThat(balancer.responseHeaders(renewing, first.endpoint()))
        .as("a plain session is never renewed").isEmpty();
  }

  @Test
  void aBrokenRingLaterKeepsTheLastGoodOneAndSaysWhy() {
    writeRing(Rings.line("A", 1));
    try (CapturedLog log = new CapturedLog("dev.tether.core.SessionSealing")) {
      Balancer balancer = cluster.start(dir, "endpoints", SIX, "sessionHeader", HEADER,
          "sessionSeal", "sealed", "sessionSealKeys", "keys.txt");
      String value = Inspection.seal(ringA, "127.0.0.1:9005", 0, NonceSource.seeded(5));
      assertThat(cluster.mbeanAttribute("LastKeyRingError")).isEmpty();

      writeRing("# being edited", "B=" + "x".repeat(10));
      cluster.advance(Duration.ofSeconds(3));
      String error = cluster.mbeanAttribute("LastKeyRingError");
      assertThat(error).contains("sessionSealKeys", dir.resolve("keys.txt").toString(), "line 2",
          "keeping the key ring with active key A");
      assertThat(log.messages()).filteredOn(m -> m.startsWith("WARNING")).hasSize(1);
      assertThat(balancer.route(withHeader(value)).endpoint().port()).isEqualTo(9005);

      java.nio.file.Files.deleteIfExists(dir.resolve("keys.txt"));
      cluster.advance(Duration.ofSeconds(1));
      assertThat(cluster.mbeanAttribute("LastKeyRingError")).contains("cannot be read");
      assertThat(balancer.route(withHeader(value)).endpoint().port()).isEqualTo(9005);

      writeRing(Rings.line("A", 1));
      cluster.advance(Duration.ofSeconds(1));
      assertThat(cluster.mbeanAttribute("LastKeyRingError")).isEmpty();
      assertThat(cluster.mbeanAttribute("ActiveSessionKey")).isEqualTo("A");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
