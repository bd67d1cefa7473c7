package dev.tether.it.harness;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * The container distributions the suite runs on; each names the system property that holds its
 * unpacked home directory.
 */
public enum ContainerKind {
  JETTY_12_1("tether.it.jettyHome", home -> new JettyContainer(label(home), home, Layout.jettyDist())),
  JETTY_12_0("tether.it.jetty12_0Home",
      home -> new JettyContainer(label(home), home, Layout.jettyDist())),
  TOMCAT_11("tether.it.tomcatHome", home -> new TomcatContainer(label(home), home, Layout.tomcatJar())),
  TOMCAT_10_1("tether.it.tomcat10Home",
      home -> new TomcatContainer(label(home), home, Layout.tomcatJar()));

  private final String homeProperty;
  private final Function<Path, ProxyContainer> factory;

  ContainerKind(String homeProperty, Function<Path, ProxyContainer> factory) {
    this.homeProperty = homeProperty;
    this.factory = factory;
  }

  /** A container of this kind, not yet started. */
  public ProxyContainer create() {
    return factory.apply(Layout.existing(homeProperty));
  }

  /** {@code jetty-home-12.1.12} -> {@code jetty-12.1.12}; {@code apache-tomcat-11.0.21} -> {@code tomcat-11.0.21}. */
  private static String label(Path home) {
    return home.getFileName().toString().replace("jetty-home-", "jetty-").replace("apache-", "");
  }
}
