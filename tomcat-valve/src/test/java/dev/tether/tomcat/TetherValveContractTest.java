package dev.tether.tomcat;

import dev.tether.contract.FrontEnd;
import dev.tether.contract.ProxyContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The scenario contract on the valve, in the Engine of an embedded Tomcat with an (empty) ROOT
 * context behind it, configured by attributes as server.xml would.
 */
final class TetherValveContractTest extends ProxyContract {
  @Override
  protected FrontEnd start(Map<String, String> tetherKeys) throws Exception {
    Path base = Files.createDirectories(
        Path.of("target", "contract-tomcat", tetherKeys.get("name")));
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toAbsolutePath().toString());
    tomcat.setPort(0);
    Connector connector = tomcat.getConnector();
    connector.setProperty("address", "127.0.0.1");
    TetherValve valve = new TetherValve();
    tetherKeys.forEach(valve::setProperty);
    tomcat.getEngine().getPipeline().addValve(valve);
    tomcat.addContext("", base.toAbsolutePath().toString());
    tomcat.start();
    return FrontEnd.of(connector.getLocalPort(), () -> {
      tomcat.stop();
      tomcat.destroy();
    });
  }
}
