package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The graceful stop scenarios on Tomcat 10.1 (version from the parent POM). */
final class Tomcat101GracefulIT extends GracefulStopScenarios {
  Tomcat101GracefulIT() {
    super(ContainerKind.TOMCAT_10_1);
  }
}
