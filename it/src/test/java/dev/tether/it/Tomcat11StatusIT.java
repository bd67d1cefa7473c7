package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** {@code tether status}, {@code pick}, {@code drain} on Tomcat 11 (version from the parent POM). */
final class Tomcat11StatusIT extends StatusScenarios {
  Tomcat11StatusIT() {
    super(ContainerKind.TOMCAT_11);
  }
}
