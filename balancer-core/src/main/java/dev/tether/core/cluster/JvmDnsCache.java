package dev.tether.core.cluster;

import java.security.Security;
import java.time.Duration;

/**
 * How long the JVM caches a successful DNS answer, as {@code InetAddressCachePolicy} decides it:
 * the security property {@code networkaddress.cache.ttl} (set in
 * {@code $JAVA_HOME/conf/security/java.security} or with {@code Security.setProperty} before the
 * first lookup), else the system property {@code sun.net.inetaddr.ttl} (read once, at the first
 * lookup: pass it as {@code -Dsun.net.inetaddr.ttl=5}), else 30 seconds. A negative value caches
 * forever.
 *
 * <p>This matters only with {@code dnsResolvers=jvm}: by default Tether resolves with its own DNS
 * client ({@link DnsjavaResolver}), which the JVM's cache does not reach.
 *
 * <p>Tether re-resolves a {@code dns:} name every {@code dnsRefreshRate}; while the JVM serves the
 * name from its cache the re-resolution sees nothing new, so the cache TTL should not exceed the
 * refresh rate. Tether does not change a JVM-wide setting on its own; it warns at start when the
 * two disagree.
 *
 * <p>Failed lookups are cached too: {@code java.security} ships with
 * {@code networkaddress.cache.negative.ttl=10}, which wins over
 * {@code -Dsun.net.inetaddr.negative.ttl}, so a name that failed to resolve is retried by the JDK
 * only after 10 seconds (Tether keeps its last good set meanwhile). To change that, append a file
 * with {@code networkaddress.cache.negative.ttl=0} through {@code -Djava.security.properties=FILE}.
 */
final class JvmDnsCache {
  static final Duration JDK_DEFAULT_TTL = Duration.ofSeconds(30);

  private JvmDnsCache() {}

  /** The effective positive-answer cache TTL; null when answers are cached forever. */
  static Duration ttl() {
    Integer seconds = parse(Security.getProperty("networkaddress.cache.ttl"));
    if (seconds == null) {
      seconds = parse(System.getProperty("sun.net.inetaddr.ttl"));
    }
    if (seconds == null) {
      return JDK_DEFAULT_TTL;
    }
    return seconds < 0 ? null : Duration.ofSeconds(seconds);
  }

  /** A warning when the cache outlives the refresh rate, else null. */
  static String warning(Duration refreshRate) {
    return warning(ttl(), refreshRate);
  }

  /** A warning when a cache of {@code ttl} (null: forever) outlives the refresh rate. */
  static String warning(Duration ttl, Duration refreshRate) {
    if (ttl != null && ttl.compareTo(refreshRate) <= 0) {
      return null;
    }
    return "the JVM caches DNS answers for " + (ttl == null ? "ever" : ttl.getSeconds() + "s")
        + ", longer than dnsRefreshRate " + refreshRate.toMillis() + "ms, so new or removed"
        + " addresses show up late; start the JVM with -Dsun.net.inetaddr.ttl="
        + Math.max(0, refreshRate.getSeconds())
        + " (or set networkaddress.cache.ttl in java.security)";
  }

  private static Integer parse(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(value.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
