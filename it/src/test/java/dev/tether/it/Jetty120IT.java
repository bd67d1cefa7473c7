package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The affinity scenarios on Jetty 12.0 (version from the parent POM). */
final class Jetty120IT extends AffinityScenarios {
  Jetty120IT() {
    super(ContainerKind.JETTY_12_0);
  }
}
