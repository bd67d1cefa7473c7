package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** {@code tether status}, {@code pick}, {@code drain} on Tomcat 10.1 (version from the parent POM). */
final class Tomcat101StatusIT extends StatusScenarios {
  Tomcat101StatusIT() {
    super(ContainerKind.TOMCAT_10_1);
  }
}
