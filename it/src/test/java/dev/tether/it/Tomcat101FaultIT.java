package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The fault suite on Tomcat 10.1 (version from the parent POM). */
final class Tomcat101FaultIT extends FaultScenarios {
  Tomcat101FaultIT() {
    super(ContainerKind.TOMCAT_10_1);
  }
}
