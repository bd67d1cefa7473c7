package dev.tether.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * A Tomcat distribution with the Tether valve, installed the README's way into a fresh
 * {@code $CATALINA_BASE}: the valve jar in {@code lib/}, a {@code <Valve>} inside {@code <Engine>}
 * of {@code conf/server.xml}, then {@code bin/catalina.sh run}. The base has no web applications:
 * the valve answers every request before any context would.
 */
final class TomcatContainer extends AbstractProxyContainer {

  static final String VALVE_CLASS = "dev.tether.tomcat.TetherValve";

  static final String HTTP2_PROTOCOL_CLASS = "org.apache.coyote.http2.Http2Protocol";

  private final Path catalinaHome;
  private final Path valveJar;
  private final boolean h2c;

  /** @param h2c whether the HTTP connector also speaks clear-text HTTP/2 ({@code <UpgradeProtocol>}) */
  TomcatContainer(String label, Path catalinaHome, Path valveJar, boolean h2c) {
    super(label);
    this.catalinaHome = catalinaHome;
    this.valveJar = valveJar;
    this.h2c = h2c;
  }

  @Override
  ManagedProcess launch(Path runDir, int port, Map<String, String> tetherKeys,
      Map<String, String> baseFiles, List<String> jvmOptions) throws IOException {
    Path base = Files.createDirectories(runDir.resolve("catalina-base"));
    Files2.copyTree(catalinaHome.resolve("conf"), base.resolve("conf"));
    for (String dir : List.of("lib", "logs", "temp", "webapps", "work")) {
      Files.createDirectories(base.resolve(dir));
    }
    Files.copy(valveJar, base.resolve("lib").resolve(valveJar.getFileName()));
    writeBaseFiles(base, baseFiles);
    configureServerXml(base.resolve("conf").resolve("server.xml"), port, tetherKeys, h2c,
        connectorIdleTimeout());
    // The valve's debug lines (connect failures, retries, dropped headers) in catalina.log, so a
    // failed scenario can be read from the log it leaves.
    Files.writeString(base.resolve("conf").resolve("logging.properties"),
        "\ndev.tether.level = FINE\n", StandardOpenOption.APPEND);
    synchronized (TomcatContainer.class) {
      Files2.makeScriptsExecutable(catalinaHome.resolve("bin"));
    }

    Map<String, String> env = new HashMap<>();
    env.put("CATALINA_HOME", catalinaHome.toString());
    env.put("CATALINA_BASE", base.toString());
    env.put("JAVA_HOME", Jvm.javaHome());
    env.put("JRE_HOME", null);
    // Exit rather than run on without a connector when the port cannot be bound. catalina.sh
    // splits CATALINA_OPTS at spaces: an option must not contain one.
    List<String> serverJvm = new ArrayList<>(Jvm.SMALL);
    serverJvm.add("-Dorg.apache.catalina.startup.EXIT_ON_INIT_FAILURE=true");
    for (String option : jvmOptions) {
      if (option.contains(" ")) {
        throw new IllegalArgumentException(
            "jvmOptions: " + option + " (expected: no space; catalina.sh splits CATALINA_OPTS)");
      }
      serverJvm.add(option);
    }
    env.put("CATALINA_OPTS", String.join(" ", serverJvm));
    env.put("JAVA_OPTS", null);
    env.put("CATALINA_PID", null);
    env.put("CATALINA_OUT", null);
    env.put("CATALINA_TMPDIR", null);
    List<String> command =
        new ArrayList<>(List.of(catalinaHome.resolve("bin").resolve("catalina.sh").toString(), "run"));
    return ManagedProcess.start(label(), command, base, env, runDir.resolve("catalina.log"));
  }

  /**
   * Rewrites {@code server.xml}: shutdown port off, the HTTP connector on 127.0.0.1:{@code port}
   * (any other connector removed; with {@code h2c}, Tomcat's HTTP/2 {@code <UpgradeProtocol>}
   * inside it, which serves both prior knowledge and {@code Upgrade: h2c}), no auto-deployment,
   * and the Tether valve inside the Engine. The connector binds on start ({@code bindOnInit="false"},
   * as the valve's README advises for graceful stop: Tomcat then closes the listening socket first
   * when it stops), with {@code connectionTimeout} set when {@code idleTimeout} is not null.
   */
  static void configureServerXml(Path serverXml, int port, Map<String, String> tetherKeys,
      boolean h2c, java.time.Duration idleTimeout) throws IOException {
    try {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(serverXml.toFile());
      doc.getDocumentElement().setAttribute("port", "-1");

      NodeList connectors = doc.getElementsByTagName("Connector");
      List<Element> toRemove = new ArrayList<>();
      boolean httpSeen = false;
      for (int i = 0; i < connectors.getLength(); i++) {
        Element connector = (Element) connectors.item(i);
        String protocol = connector.getAttribute("protocol");
        if (!httpSeen && (protocol.isEmpty() || protocol.startsWith("HTTP/1.1")
            || protocol.contains("Http11"))) {
          connector.setAttribute("port", Integer.toString(port));
          connector.setAttribute("address", "127.0.0.1");
          connector.setAttribute("bindOnInit", "false");
          if (idleTimeout != null) {
            connector.setAttribute("connectionTimeout", Long.toString(idleTimeout.toMillis()));
          }
          if (h2c) {
            Element upgrade = doc.createElement("UpgradeProtocol");
            upgrade.setAttribute("className", HTTP2_PROTOCOL_CLASS);
            connector.appendChild(upgrade);
          }
          httpSeen = true;
        } else {
          toRemove.add(connector);
        }
      }
      if (!httpSeen) {
        throw new IOException(serverXml + ": no HTTP/1.1 Connector to configure");
      }
      toRemove.forEach(c -> c.getParentNode().removeChild(c));

      NodeList hosts = doc.getElementsByTagName("Host");
      for (int i = 0; i < hosts.getLength(); i++) {
        ((Element) hosts.item(i)).setAttribute("autoDeploy", "false");
      }

      Element engine = (Element) doc.getElementsByTagName("Engine").item(0);
      Element valve = doc.createElement("Valve");
      valve.setAttribute("className", VALVE_CLASS);
      tetherKeys.forEach(valve::setAttribute);
      engine.insertBefore(valve, engine.getFirstChild());

      var transformer = TransformerFactory.newInstance().newTransformer();
      transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      transformer.transform(new DOMSource(doc), new StreamResult(serverXml.toFile()));
    } catch (ParserConfigurationException | SAXException | TransformerException e) {
      throw new IOException(serverXml + ": cannot rewrite", e);
    }
  }
}
