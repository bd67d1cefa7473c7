package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The fault suite on Jetty 12.0 (version from the parent POM). */
final class Jetty120FaultIT extends FaultScenarios {
  Jetty120FaultIT() {
    super(ContainerKind.JETTY_12_0);
  }
}
