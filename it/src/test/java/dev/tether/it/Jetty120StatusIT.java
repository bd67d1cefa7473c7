package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** {@code tether status}, {@code pick}, {@code drain} on Jetty 12.0 (version from the parent POM). */
final class Jetty120StatusIT extends StatusScenarios {
  Jetty120StatusIT() {
    super(ContainerKind.JETTY_12_0);
  }
}
