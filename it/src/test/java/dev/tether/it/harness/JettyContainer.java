package dev.tether.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Jetty 12 distribution ({@code jetty-home}) with Tether's base overlay, installed the README's
 * way: unzip into a fresh {@code $JETTY_BASE}, {@code start.jar --add-modules=tether},
 * {@code tether.<key>=<value>} lines in {@code start.d/tether.ini}, then {@code java -jar start.jar}.
 * With h2c, {@code --add-modules=tether,http2c}: the same connector then also speaks HTTP/2 in
 * clear text.
 */
final class JettyContainer extends AbstractProxyContainer {

  private final Path jettyHome;
  private final Path overlayZip;
  private final boolean h2c;

  /** @param h2c whether to enable Jetty's {@code http2c} module on the HTTP connector too */
  JettyContainer(String label, Path jettyHome, Path overlayZip, boolean h2c) {
    super(label);
    this.jettyHome = jettyHome;
    this.overlayZip = overlayZip;
    this.h2c = h2c;
  }

  @Override
  ManagedProcess launch(Path runDir, int port, Map<String, String> tetherKeys,
      Map<String, String> baseFiles, List<String> jvmOptions) throws IOException {
    Path base = Files.createDirectories(runDir.resolve("jetty-base"));
    Files2.unzip(overlayZip, base);
    writeBaseFiles(base, baseFiles);

    String modules = h2c ? "--add-modules=tether,http2c" : "--add-modules=tether";
    ManagedProcess addModules = ManagedProcess.start(label() + " " + modules,
        startJar(base, List.of(), List.of(modules)), base, Map.of(),
        runDir.resolve("add-modules.log"));
    int exit;
    try {
      exit = addModules.awaitExit(START_TIMEOUT);
    } finally {
      addModules.close();
    }
    if (exit != 0) {
      throw new IllegalStateException(label() + ": start.jar --add-modules=tether exited with "
          + exit + ":\n" + Files2.tail(addModules.log(), 40));
    }

    StringBuilder ini = new StringBuilder("\n# tether-it\n");
    tetherKeys.forEach((key, value) -> ini.append("tether.").append(key).append('=')
        .append(value).append('\n'));
    Files.writeString(base.resolve("start.d").resolve("tether.ini"), ini, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);

    List<String> serverJvm = new ArrayList<>(Jvm.SMALL);
    serverJvm.addAll(jvmOptions);
    List<String> properties = new ArrayList<>(
        List.of("jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
    if (connectorIdleTimeout() != null) {
      properties.add("jetty.http.idleTimeout=" + connectorIdleTimeout().toMillis());
    }
    return ManagedProcess.start(label(), startJar(base, serverJvm, properties), base, Map.of(),
        runDir.resolve("jetty.log"));
  }

  private List<String> startJar(Path base, List<String> jvmOptions, List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(Jvm.java());
    command.addAll(jvmOptions);
    command.add("-Djetty.home=" + jettyHome);
    command.add("-Djetty.base=" + base);
    command.add("-jar");
    command.add(jettyHome.resolve("start.jar").toString());
    command.addAll(arguments);
    return command;
  }
}
