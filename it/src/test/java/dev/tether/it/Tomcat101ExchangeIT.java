package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The exchange scenarios on Tomcat 10.1 (version from the parent POM). */
final class Tomcat101ExchangeIT extends ExchangeScenarios {
  Tomcat101ExchangeIT() {
    super(ContainerKind.TOMCAT_10_1);
  }
}
