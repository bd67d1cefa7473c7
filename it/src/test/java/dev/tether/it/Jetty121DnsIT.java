package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** DNS endpoints with Tether's own resolver on Jetty 12.1 (version from the parent POM). */
final class Jetty121DnsIT extends DnsScenarios {
  Jetty121DnsIT() {
    super(ContainerKind.JETTY_12_1);
  }
}
