package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The fault suite on Tomcat 11 (version from the parent POM). */
final class Tomcat11FaultIT extends FaultScenarios {
  Tomcat11FaultIT() {
    super(ContainerKind.TOMCAT_11);
  }
}
