package dev.tether.demo;

import dev.tether.core.ConfigException;
import dev.tether.tomcat.TetherValve;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/**
 * Embedded Tomcat with {@link TetherValve} in its host pipeline, configured the way
 * {@code server.xml} configures a {@code <Valve>}: one attribute per Tether key. A bad key stops
 * the start with the valve's {@code key: value (expected: ...)} message.
 */
final class TomcatFrontEnd implements FrontEnd {

  private final Tomcat tomcat;
  private final Connector connector;
  private final Path baseDir;

  private TomcatFrontEnd(Tomcat tomcat, Connector connector, Path baseDir) {
    this.tomcat = tomcat;
    this.connector = connector;
    this.baseDir = baseDir;
  }

  /**
   * Starts Tomcat on {@code host:port} with the given Tether keys as valve attributes.
   *
   * @param portOption the option that sets this port, named when the port is taken
   * @throws PortInUseException when the port is taken
   */
  static FrontEnd start(String host, int port, Map<String, String> keys, String portOption)
      throws IOException {
    TetherValve valve = new TetherValve();
    // As server.xml attributes reach it; the valve checks them all when Tomcat starts.
    keys.forEach(valve::setProperty);
    // A private, writable base (work directory): the current directory may be neither.
    Path baseDir = Files.createTempDirectory("tether-demo-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setProperty("address", host);
    connector.setPort(port);
    // Fail start() on a taken port instead of logging it and running without a connector.
    connector.setThrowOnFailure(true);
    tomcat.setConnector(connector);
    tomcat.getHost().setAutoDeploy(false);
    tomcat.getHost().getPipeline().addValve(valve);
    StandardContext root = (StandardContext) tomcat.addContext("", baseDir.toString());
    // No web application runs here: skip the leak checks that ask for --add-opens on stop.
    root.setClearReferencesRmiTargets(false);
    root.setClearReferencesThreadLocals(false);
    TomcatFrontEnd frontEnd = new TomcatFrontEnd(tomcat, connector, baseDir);
    Exception failure = null;
    // A failed start is reported once, as one line, by the caller: Tomcat's own SEVERE stack
    // traces for the same failure are silenced while it starts (and stops again).
    Logger tomcatLog = Logger.getLogger("org.apache");
    Level level = tomcatLog.getLevel();
    tomcatLog.setLevel(Level.OFF);
    try {
      tomcat.start();
    } catch (LifecycleException | RuntimeException e) {
      failure = e;
      frontEnd.close();
    } finally {
      tomcatLog.setLevel(level);
    }
    if (failure != null) {
      if (PortInUseException.isBindFailure(failure)) {
        throw new PortInUseException(host, port, "Tomcat front end", portOption, failure);
      }
      throw new IOException(rootMessage(failure), failure);
    }
    return frontEnd;
  }

  /**
   * Tomcat wraps a valve's configuration error in lifecycle exceptions: show the core's
   * {@code key: value (expected: ...)} message, else the first message that is not Tomcat's.
   */
  private static String rootMessage(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof ConfigException) {
        return t.getMessage();
      }
    }
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (!(t instanceof LifecycleException)) {
        return t.getMessage();
      }
    }
    return e.getMessage();
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException | RuntimeException e) {
      // Stopping is best effort; the process may be on its way out.
    }
    deleteRecursively(baseDir);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A temporary directory left behind is harmless.
    }
  }
}
