package dev.tether.it.harness;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real servlet container with Tether installed, running as its own process on 127.0.0.1. Each
 * {@link #start} installs afresh into a new base directory under {@code target/it-work}, exactly
 * as the module's README tells a user to, with the given configuration.
 */
public interface ProxyContainer extends AutoCloseable {

  /** For names and messages, for example {@code jetty-12.1.12}. */
  String label();

  /**
   * Installs Tether, configures it with {@code tetherKeys} (keys without the {@code tether.}
   * prefix, as the valve's attributes) and starts the container; returns once it answers
   * requests. Stops a previous run first.
   */
  default void start(Map<String, String> tetherKeys) {
    start(tetherKeys, Map.of());
  }

  /**
   * As {@link #start(Map)}, first writing {@code baseFiles} (path relative to the base directory,
   * to content) into the fresh base: a DestinationRule named by a relative path, for example.
   */
  default void start(Map<String, String> tetherKeys, Map<String, String> baseFiles) {
    start(tetherKeys, baseFiles, List.of());
  }

  /**
   * As {@link #start(Map, Map)}, with {@code jvmOptions} given to the JVM that runs the server,
   * where each container's documentation has them: Jetty's on the {@code java} command line
   * before {@code -jar start.jar} (where the {@code JAVA_OPTIONS} of {@code jetty.sh} end up),
   * Tomcat's appended to {@code CATALINA_OPTS}. A Java agent, for example; relative paths in them
   * are read from the base directory, the process's working directory.
   */
  void start(Map<String, String> tetherKeys, Map<String, String> baseFiles,
      List<String> jvmOptions);

  /** {@code http://127.0.0.1:<port>/} of the running container. */
  URI baseUri();

  /**
   * The PID of the JVM that runs the server: the one {@code tether status --pid} attaches to
   * ({@code catalina.sh run} execs it; start.jar is it, or forks it with {@code --exec}).
   */
  long serverPid();

  /** The container's console log of the current run. */
  Path log();

  /** Stops the container and its whole process tree; nothing when not running. */
  void stop();

  @Override
  default void close() {
    stop();
  }
}
