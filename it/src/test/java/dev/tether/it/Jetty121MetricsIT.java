package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/**
 * The Prometheus metrics on Jetty 12.1 (version from the parent POM), the agent on the java
 * command line.
 */
final class Jetty121MetricsIT extends MetricsScenarios {
  Jetty121MetricsIT() {
    super(ContainerKind.JETTY_12_1, Attachment.JVM_OPTION);
  }
}
