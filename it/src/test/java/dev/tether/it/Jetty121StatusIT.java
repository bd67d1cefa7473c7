package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** {@code tether status}, {@code pick}, {@code drain} on Jetty 12.1 (version from the parent POM). */
final class Jetty121StatusIT extends StatusScenarios {
  Jetty121StatusIT() {
    super(ContainerKind.JETTY_12_1);
  }
}
