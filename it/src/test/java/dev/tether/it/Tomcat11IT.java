package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The affinity scenarios on Tomcat 11 (version from the parent POM). */
final class Tomcat11IT extends AffinityScenarios {
  Tomcat11IT() {
    super(ContainerKind.TOMCAT_11);
  }
}
