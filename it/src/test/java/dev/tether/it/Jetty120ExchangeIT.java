package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The exchange scenarios on Jetty 12.0 (version from the parent POM). */
final class Jetty120ExchangeIT extends ExchangeScenarios {
  Jetty120ExchangeIT() {
    super(ContainerKind.JETTY_12_0);
  }
}
