package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** DNS endpoints with Tether's own resolver on Tomcat 11 (version from the parent POM). */
final class Tomcat11DnsIT extends DnsScenarios {
  Tomcat11DnsIT() {
    super(ContainerKind.TOMCAT_11);
  }
}
