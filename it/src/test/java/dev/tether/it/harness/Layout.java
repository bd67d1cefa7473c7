package dev.tether.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the build put what the tests run: failsafe passes every path as a {@code tether.it.*}
 * system property (see {@code it/pom.xml}), so the tests never guess at Maven's layout.
 */
public final class Layout {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Object WORK_LOCK = new Object();
  private static Path work;

  private Layout() {}

  /** The demo backend jar ({@code dev.tether.demo.Backend}). */
  public static Path demoJar() {
    return existing("tether.it.demoJar");
  }

  /** The Jetty base overlay zip ({@code tether-jetty-<v>-dist.zip}). */
  public static Path jettyDist() {
    return existing("tether.it.jettyDist");
  }

  /** The Tomcat valve jar ({@code tether-tomcat-<v>.jar}). */
  public static Path tomcatJar() {
    return existing("tether.it.tomcatJar");
  }

  /** The Prometheus JMX exporter agent jar from Maven Central. */
  public static Path prometheusAgent() {
    return existing("tether.it.prometheusAgent");
  }

  /**
   * The Prometheus rules as the valve's build leaves them beside its jar
   * ({@code tomcat-valve/target/tether-prometheus.yaml}); the Jetty overlay carries its own copy.
   */
  public static Path tomcatPrometheusRules() {
    return existing("tether.it.tomcatPrometheusRules");
  }

  /** The command line's runnable jar, {@code cli/target/tether-cli.jar}. */
  public static Path cliJar() {
    return existing("tether.it.cliJar");
  }

  /** An unpacked distribution: the value of system property {@code key}. */
  public static Path existing(String key) {
    String value = System.getProperty(key);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          key + ": unset (expected: a path; run through `mvn verify`, which sets it)");
    }
    Path path = Path.of(value);
    if (!Files.exists(path)) {
      throw new IllegalStateException(key + ": " + path + " (expected: an existing file)");
    }
    return path;
  }

  /**
   * A fresh directory for one run of something ({@code target/it-work/<seq>-<label>}). The whole
   * work directory is emptied once per JVM, so logs of the last run stay until the next one.
   */
  public static Path newRunDir(String label) {
    Path dir = work().resolve(String.format("%03d-%s", RUNS.incrementAndGet(), label));
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The work directory, {@code target/it-work}. */
  public static Path work() {
    synchronized (WORK_LOCK) {
      if (work == null) {
        String value = System.getProperty("tether.it.work", "target/it-work");
        Path dir = Path.of(value).toAbsolutePath();
        try {
          Leftovers.reap(dir);
          Files2.deleteRecursively(dir);
          work = Files.createDirectories(dir);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return work;
    }
  }
}
