package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The affinity scenarios on Jetty 12.1 (version from the parent POM). */
final class Jetty121IT extends AffinityScenarios {
  Jetty121IT() {
    super(ContainerKind.JETTY_12_1);
  }
}
