package dev.tether.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one endpoint address, written on the request path (so: adders and atomics, no
 * locks) and read by JMX and the outlier detector. They outlive table rebuilds because they are
 * keyed by address, and go when the address leaves the endpoint set.
 */
final class EndpointStats {
  final LongAdder requests = new LongAdder();
  final LongAdder connectFailures = new LongAdder();
  final LongAdder serverErrors = new LongAdder();
  final LongAdder pinnedSessionHits = new LongAdder();
  final LongAdder rePins = new LongAdder();
  /** Requests started while the endpoint was DRAINING: what still reaches it. */
  final LongAdder drainingRequests = new LongAdder();
  final LongAdder ejections = new LongAdder();
  /** Envoy's {@code consecutive_5xx_}: 5xx answers and connect failures in a row. */
  final AtomicInteger consecutive5xx = new AtomicInteger();
  /** Envoy's {@code consecutive_gateway_failure_}: 502, 503, 504 and connect failures in a row. */
  final AtomicInteger consecutiveGateway = new AtomicInteger();

  /** Counts a finished exchange; 0 is a connect failure (Envoy maps it to 503). */
  void finished(int status) {
    if (status == 0) {
      connectFailures.increment();
    } else if (status >= 500 && status <= 599) {
      serverErrors.increment();
    }
  }

  long failures() {
    return connectFailures.sum() + serverErrors.sum();
  }
}
