package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The exchange scenarios on Jetty 12.1 (version from the parent POM). */
final class Jetty121ExchangeIT extends ExchangeScenarios {
  Jetty121ExchangeIT() {
    super(ContainerKind.JETTY_12_1);
  }
}
