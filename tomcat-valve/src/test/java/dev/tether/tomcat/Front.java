package dev.tether.tomcat;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.AccessLogValve;

/**
 * An embedded Tomcat on 127.0.0.1 with a {@link TetherValve} in its Engine, a local servlet
 * answering {@code local} for whatever the valve passes down the pipeline, and an access log
 * writing {@code %{tether.upstream}r}.
 */
final class Front implements AutoCloseable {
  final Tomcat tomcat = new Tomcat();
  final TetherValve valve = new TetherValve();
  final Path baseDir;
  final Path accessLog;
  private final Connector connector;

  /** Configures but does not start: {@link #start()} does, so a test can watch it fail. */
  Front(Path baseDir, Map<String, String> attributes) throws IOException {
    this(baseDir, attributes, true);
  }

  /** As above; without {@code rootContext} no Context maps any request. */
  Front(Path baseDir, Map<String, String> attributes, boolean rootContext) throws IOException {
    this.baseDir = baseDir;
    this.accessLog = baseDir.resolve("logs").resolve("access.log");
    Files.createDirectories(accessLog.getParent());
    tomcat.setBaseDir(baseDir.toString());
    tomcat.setPort(0);
    connector = tomcat.getConnector();
    connector.setProperty("address", "127.0.0.1");
    attributes.forEach(valve::setProperty);
    tomcat.getEngine().getPipeline().addValve(valve);

    AccessLogValve log = new AccessLogValve();
    log.setDirectory(accessLog.getParent().toString());
    log.setPrefix("access");
    log.setSuffix(".log");
    log.setRotatable(false);
    log.setBuffered(false);
    log.setPattern("%r %s %{tether.upstream}r");
    tomcat.getHost().getPipeline().addValve(log);

    if (!rootContext) {
      return;
    }
    File docBase = Files.createDirectories(baseDir.resolve("webapps").resolve("ROOT")).toFile();
    Context root = tomcat.addContext("", docBase.getAbsolutePath());
    Tomcat.addServlet(root, "local", new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response)
          throws IOException {
        response.setContentType("text/plain");
        response.getOutputStream().write("local".getBytes(StandardCharsets.US_ASCII));
      }
    });
    root.addServletMappingDecoded("/", "local");
  }

  static Front started(Path baseDir, Map<String, String> attributes)
      throws IOException, LifecycleException {
    return started(new Front(baseDir, attributes));
  }

  static Front started(Front front) throws LifecycleException {
    try {
      front.start();
    } catch (LifecycleException | RuntimeException e) {
      front.close();
      throw e;
    }
    return front;
  }

  void start() throws LifecycleException {
    tomcat.start();
  }

  int port() {
    return connector.getLocalPort();
  }

  String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port() + pathAndQuery;
  }

  @Override
  public void close() {
    try {
      tomcat.stop();
    } catch (LifecycleException ignored) {
      // Stopping a server that failed to start can fail too; destroy still releases the port.
    }
    try {
      tomcat.destroy();
    } catch (LifecycleException ignored) {
      // Nothing more can be released.
    }
  }
}
