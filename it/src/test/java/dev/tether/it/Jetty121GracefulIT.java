package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The graceful stop scenarios on Jetty 12.1 (version from the parent POM). */
final class Jetty121GracefulIT extends GracefulStopScenarios {
  Jetty121GracefulIT() {
    super(ContainerKind.JETTY_12_1);
  }
}
