package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.LoadBalancerType;
import dev.tether.api.SessionConfig;
import dev.tether.api.Timeouts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.util.ServerInfo;
import org.apache.tomcat.util.IntrospectionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the valve reads its attributes and refuses to start on a bad one. */
final class ValveConfigurationTest {
  @TempDir Path baseDir;

  /** The LifecycleException the valve threw, found in what Tomcat's start wraps it in. */
  private static LifecycleException valveFailure(Throwable thrown) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    for (int i = chain.size() - 1; i >= 0; i--) {
      if (chain.get(i) instanceof LifecycleException lifecycle) {
        return lifecycle;
      }
    }
    throw new AssertionError("no LifecycleException in " + chain, thrown);
  }

  private Throwable startFailure(Map<String, String> attributes) throws Exception {
    try (Front front = new Front(baseDir, attributes)) {
      Throwable thrown = null;
      try {
        front.start();
      } catch (LifecycleException | RuntimeException e) {
        thrown = e;
      }
      assertThat(thrown).as("start with " + attributes).isNotNull();
      assertThat(front.valve.getState()).isNotEqualTo(LifecycleState.STARTED);
      return thrown;
    }
  }

  @Test
  void testsRunOnTheTomcatVersionTheBuildAskedFor() {
    String expected = System.getProperty("tether.expectedTomcat");
    assertThat(expected).as("surefire sets tether.expectedTomcat").isNotBlank();
    assertThat(ServerInfo.getServerNumber()).startsWith(expected);
  }

  @Test
  void anUnknownAttributeStopsStartupNamingIt() throws Exception {
    Throwable thrown = startFailure(Map.of("endpoints", "127.0.0.1:9001", "sesionHeader", "x-s"));
    LifecycleException failure = valveFailure(thrown);
    assertThat(failure.getMessage())
        .startsWith("sesionHeader: x-s (expected: one of the attributes ")
        .contains("sessionHeader", "pathPrefix", "requestTimeout")
        .endsWith("; did you mean sessionHeader?)");
    assertThat(valveFailure(startFailure(Map.of("endpoints", "127.0.0.1:9001",
        "frobnicate", "1"))).getMessage())
        .startsWith("frobnicate: 1 (expected: one of the attributes ")
        .doesNotContain("did you mean");
  }

  @Test
  void aBadValueStopsStartupWithTheCoresMessage() throws Exception {
    assertThat(valveFailure(startFailure(Map.of("endpoints", "127.0.0.1:9001",
        "minimumRingSize", "lots"))).getMessage()).startsWith("minimumRingSize: lots (expected: ");
    // The timeouts are core keys now: the core's parser and message.
    assertThat(valveFailure(startFailure(Map.of("endpoints", "127.0.0.1:9001",
        "requestTimeout", "soon"))).getMessage()).startsWith("requestTimeout: soon (expected: ");
    assertThat(valveFailure(startFailure(Map.of("endpoints", "127.0.0.1:9001",
        "connectTimeout", "0s"))).getMessage()).startsWith("connectTimeout: 0s (expected: ");
    assertThat(valveFailure(startFailure(Map.of("endpoints", "127.0.0.1:9001",
        "pathPrefix", "api"))).getMessage()).startsWith("pathPrefix: api (expected: ");
  }

  @Test
  void missingEndpointsStopStartup() throws Exception {
    assertThat(valveFailure(startFailure(Map.of("sessionHeader", "x-s"))).getMessage())
        .startsWith("endpoints:").contains("(expected: ");
  }

  @Test
  void theOldValveTimeoutAttributesAreTheCoresKeysOfTheSameName() throws Exception {
    try (Front front = Front.started(baseDir, Map.of("endpoints", "127.0.0.1:9001",
        "requestTimeout", "1.5s", "connectTimeout", "250ms", "idleTimeout", "0s",
        "perTryTimeout", "500ms"))) {
      Timeouts timeouts = front.valve.getBalancer().config().timeouts();
      assertThat(timeouts).isEqualTo(new Timeouts(Duration.ofMillis(250),
          Duration.ofMillis(1500), Duration.ofMillis(500), Duration.ZERO));
    }
  }

  @Test
  void tomcatsIntrospectionReachesEveryAttributeThroughSetProperty() {
    TetherValve valve = new TetherValve();
    // What the server.xml digester calls for each attribute of <Valve>.
    assertThat(IntrospectionUtils.setProperty(valve, "endpoints", "127.0.0.1:9001")).isTrue();
    assertThat(IntrospectionUtils.setProperty(valve, "sessionHeader", "x-session-header"))
        .isTrue();
    assertThat(IntrospectionUtils.setProperty(valve, "pathPrefix", "/api")).isTrue();
    assertThat(IntrospectionUtils.setProperty(valve, "requestTimeout", "5s")).isTrue();
    assertThat(IntrospectionUtils.setProperty(valve, "connectTimeout", "5s")).isTrue();
    assertThat(valve.getProperty("requestTimeout")).isEqualTo("5s");
    assertThat(IntrospectionUtils.setProperty(valve, "sesionHeader", "x")).isFalse();
    assertThat(valve.getProperty("endpoints")).isEqualTo("127.0.0.1:9001");
    assertThat(valve.getPathPrefix()).isEqualTo("/api");
    assertThat(IntrospectionUtils.getProperty(valve, "sessionHeader")).isEqualTo("x-session-header");
  }

  @Test
  void aRelativeDestinationRuleIsReadFromCatalinaBase() throws Exception {
    Files.createDirectories(baseDir.resolve("conf"));
    Files.writeString(baseDir.resolve("conf/dr.yaml"), String.join("\n",
        "apiVersion: networking.istio.io/v1",
        "kind: DestinationRule",
        "metadata:",
        "  name: backend",
        "spec:",
        "  host: backend",
        "  trafficPolicy:",
        "    loadBalancer:",
        "      consistentHash:",
        "        httpHeaderName: x-user",
        "        maglev:",
        "          tableSize: 7",
        ""), StandardCharsets.UTF_8);
    try (Front front = Front.started(baseDir, Map.of("endpoints", "127.0.0.1:9001,127.0.0.1:9002",
        "destinationRule", "conf/dr.yaml"))) {
      assertThat(front.valve.getBalancer().config().loadBalancer())
          .isEqualTo(LoadBalancerType.MAGLEV);
      assertThat(front.valve.getBalancer().config().tableSize()).isEqualTo(7);
      assertThat(front.valve.getBalancer().config().session()).isEqualTo(SessionConfig.NONE);
    }
  }

  @Test
  void aStoppedAndRestartedValveReadsItsAttributesAgain() throws Exception {
    try (Front front = Front.started(baseDir, Map.of("endpoints", "127.0.0.1:9001"))) {
      assertThat(front.valve.getBalancer().endpoints()).hasSize(1);
      front.valve.stop();
      assertThat(front.valve.getBalancer()).isNull();
      front.valve.setProperty("endpoints", "127.0.0.1:9001,127.0.0.1:9002");
      front.valve.start();
      assertThat(front.valve.getBalancer().endpoints()).hasSize(2);
    }
  }
}
