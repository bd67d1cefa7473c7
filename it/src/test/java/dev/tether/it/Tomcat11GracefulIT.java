package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The graceful stop scenarios on Tomcat 11 (version from the parent POM). */
final class Tomcat11GracefulIT extends GracefulStopScenarios {
  Tomcat11GracefulIT() {
    super(ContainerKind.TOMCAT_11);
  }
}
