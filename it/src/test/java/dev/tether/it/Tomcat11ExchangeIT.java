package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The exchange scenarios on Tomcat 11 (version from the parent POM). */
final class Tomcat11ExchangeIT extends ExchangeScenarios {
  Tomcat11ExchangeIT() {
    super(ContainerKind.TOMCAT_11);
  }
}
