package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.OutlierDetection;
import dev.tether.core.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target for the Istio {@code DestinationRule} reader: a file an operator copies from a
 * cluster, often by hand. Anything it cannot use must stop startup with
 * {@code destinationRule...: value (expected: ...)}, never another exception.
 */
final class DestinationRuleFuzzTest {
  private static final Path FILE = tempFile();

  /**
   * The input is the file's content. It is read into settings within their documented ranges, or
   * refused with a {@link ConfigException} on {@code destinationRule} or one of its sub-keys.
   */
  @FuzzTest
  void destinationRule(byte[] data) throws IOException {
    Files.write(FILE, data);
    DestinationRuleReader.Settings settings;
    try {
      settings = DestinationRuleReader.read(FILE, "rule.yaml");
    } catch (ConfigException e) {
      ConfigMessages.check(e, DestinationRuleReader.KEY);
      return;
    }
    assertThat(settings).isNotNull();
    if (settings.loadBalancer() != null) {
      assertThat(settings.hashPolicies()).hasSize(1);
    }
    if (settings.minimumRingSize() != null) {
      assertThat(settings.loadBalancer()).isEqualTo(LoadBalancerType.RING_HASH);
      assertThat(settings.minimumRingSize()).isBetween(1L, 0xFFFFFFFFL);
    }
    if (settings.tableSize() != null) {
      assertThat(settings.loadBalancer()).isEqualTo(LoadBalancerType.MAGLEV);
      assertThat(settings.tableSize()).isBetween(1L, 0xFFFFFFFFL);
    }
    OutlierDetection od = settings.outlierDetection();
    if (od != null) {
      assertThat(od.maxEjectionPercent()).isBetween(0, 100);
      assertThat(od.minHealthPercent()).isBetween(0, 100);
      assertThat(od.interval()).isPositive();
      assertThat(od.baseEjectionTime().isNegative()).isFalse();
      assertThat(od.consecutive5xxErrors()).isNotNegative();
      assertThat(od.consecutiveGatewayErrors()).isNotNegative();
    }
    if (settings.connectTimeout() != null) {
      assertThat(settings.connectTimeout()).isPositive();
    }
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("tether-fuzz-rule", ".yaml");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
