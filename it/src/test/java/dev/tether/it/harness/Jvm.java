package dev.tether.it.harness;

import java.nio.file.Path;
import java.util.List;

/** How the tests launch Java processes: the JDK running the tests, sized for a 2-core CI box. */
public final class Jvm {

  /**
   * Options for every launched JVM: a small heap, the serial collector and C1 only, which start
   * fastest and leave the CPU to the processes under test.
   */
  public static final List<String> SMALL =
      List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

  private Jvm() {}

  /** The {@code java} launcher of the JDK running the tests. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The JDK running the tests, as JAVA_HOME for scripts such as {@code catalina.sh}. */
  public static String javaHome() {
    return System.getProperty("java.home");
  }
}
