package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The Prometheus metrics on Jetty 12.0, the agent in a start.d ini with --exec. */
final class Jetty120MetricsIT extends MetricsScenarios {
  Jetty120MetricsIT() {
    super(ContainerKind.JETTY_12_0, Attachment.JETTY_START_INI);
  }
}
