package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/**
 * The Prometheus metrics on Tomcat 11 (version from the parent POM), the agent in
 * {@code bin/setenv.sh}.
 */
final class Tomcat11MetricsIT extends MetricsScenarios {
  Tomcat11MetricsIT() {
    super(ContainerKind.TOMCAT_11, Attachment.TOMCAT_SETENV);
  }
}
