package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The affinity scenarios on Tomcat 10.1 (version from the parent POM). */
final class Tomcat101IT extends AffinityScenarios {
  Tomcat101IT() {
    super(ContainerKind.TOMCAT_10_1);
  }
}
