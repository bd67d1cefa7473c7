package dev.tether.it;

import dev.tether.it.harness.ContainerKind;

/** The Prometheus metrics on Tomcat 10.1, the agent in CATALINA_OPTS. */
final class Tomcat101MetricsIT extends MetricsScenarios {
  Tomcat101MetricsIT() {
    super(ContainerKind.TOMCAT_10_1, Attachment.JVM_OPTION);
  }
}
