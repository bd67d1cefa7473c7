package dev.tether.it.harness;

import java.nio.file.Path;

/**
 * The container distributions the suite runs on; each names the system property that holds its
 * unpacked home directory.
 */
public enum ContainerKind {
  JETTY_12_1("tether.it.jettyHome", true),
  JETTY_12_0("tether.it.jetty12_0Home", true),
  TOMCAT_11("tether.it.tomcatHome", false),
  TOMCAT_10_1("tether.it.tomcat10Home", false);

  private final String homeProperty;
  private final boolean jetty;

  ContainerKind(String homeProperty, boolean jetty) {
    this.homeProperty = homeProperty;
    this.jetty = jetty;
  }

  /** Whether this is a Jetty distribution (else a Tomcat one). */
  public boolean isJetty() {
    return jetty;
  }

  /** A container of this kind whose connector speaks HTTP/1.1 only, not yet started. */
  public ProxyContainer create() {
    return create(false);
  }

  /**
   * A container of this kind whose connector also speaks clear-text HTTP/2 (h2c, by prior
   * knowledge or by upgrade), enabled as each container's documentation says: Jetty's
   * {@code http2c} module, Tomcat's {@code <UpgradeProtocol>} in the {@code <Connector>}.
   */
  public ProxyContainer createWithH2c() {
    return create(true);
  }

  private ProxyContainer create(boolean h2c) {
    Path home = Layout.existing(homeProperty);
    String label = label(home) + (h2c ? "-h2c" : "");
    return jetty
        ? new JettyContainer(label, home, Layout.jettyDist(), h2c)
        : new TomcatContainer(label, home, Layout.tomcatJar(), h2c);
  }

  /** {@code jetty-home-12.1.12} -> {@code jetty-12.1.12}; {@code apache-tomcat-11.0.21} -> {@code tomcat-11.0.21}. */
  private static String label(Path home) {
    return home.getFileName().toString().replace("jetty-home-", "jetty-").replace("apache-", "");
  }
}
