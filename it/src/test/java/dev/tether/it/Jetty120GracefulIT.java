package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The graceful stop scenarios on Jetty 12.0 (version from the parent POM). */
final class Jetty120GracefulIT extends GracefulStopScenarios {
  Jetty120GracefulIT() {
    super(ContainerKind.JETTY_12_0);
  }
}
