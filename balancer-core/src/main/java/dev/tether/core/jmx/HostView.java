package dev.tether.core.jmx;

import dev.tether.api.Endpoint;

/**
 * One endpoint as JMX shows it.
 *
 * @param endpoint the endpoint with the health the balancer uses
 * @param ejected whether outlier detection has ejected it
 * @param failingHealthChecks whether active health checks fail it (or it has not passed one yet)
 * @param ejections times outlier detection ejected it since it joined the endpoint set
 */
public record HostView(Endpoint endpoint, boolean ejected, boolean failingHealthChecks,
    long ejections) {}
