package dev.tether.core.cluster;

import dev.tether.api.TetherConfig;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;
import javax.management.MBeanServer;

/**
 * Everything the cluster runtime takes from outside: time, randomness, where background work
 * runs, how names resolve, how endpoints are checked, where JMX beans go. Production wires the JDK;
 * tests wire a manual scheduler on a fake clock, a scripted resolver and probe, and a private
 * MBean server.
 *
 * @param clock wall time, for session cookie expiry
 * @param random the hash of requests no policy hashes
 * @param scheduler discovery, ejections, ejection sweeps and key ring re-reads (one thread: they
 *     run in order), and the runtime's monotonic time
 * @param healthScheduler active health checks, on threads of their own so that a slow check never
 *     delays discovery or an ejection
 * @param resolver DNS resolution for {@code dns:} endpoints
 * @param probe one active health check
 * @param mbeanServer where the JMX beans are registered; null for none
 * @param healthWarmup how long {@link ClusterRuntime#start} waits for the first round of health
 *     checks before returning, as Envoy warms a cluster; zero to not wait
 */
record ClusterEnvironment(
    Clock clock, LongSupplier random, Scheduler scheduler, Scheduler healthScheduler,
    Resolver resolver, HealthProbe probe, MBeanServer mbeanServer, Duration healthWarmup) {

  /** Health-check threads: checks block for up to their timeout, so a few run side by side. */
  static final int HEALTH_CHECK_THREADS = 4;

  static ClusterEnvironment production(TetherConfig config, Clock clock, LongSupplier random) {
    String prefix = "tether-" + config.name();
    Duration warmup = config.healthCheck().enabled()
        ? config.healthCheck().timeout().plusMillis(500)
        : Duration.ZERO;
    return new ClusterEnvironment(clock, random, new ExecutorScheduler(prefix + "-cluster", 1),
        new ExecutorScheduler(prefix + "-health", HEALTH_CHECK_THREADS),
        Resolver.of(config.endpointSource()),
        new HttpHealthProbe(), ManagementFactory.getPlatformMBeanServer(), warmup);
  }
}
