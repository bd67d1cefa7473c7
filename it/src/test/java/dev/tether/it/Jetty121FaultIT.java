package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The fault suite on Jetty 12.1 (version from the parent POM). */
final class Jetty121FaultIT extends FaultScenarios {
  Jetty121FaultIT() {
    super(ContainerKind.JETTY_12_1);
  }
}
