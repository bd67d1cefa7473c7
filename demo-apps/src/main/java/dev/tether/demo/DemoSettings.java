package dev.tether.demo;

/**
 * What the one-command demo starts, and where.
 *
 * @param host the address everything binds (the demo stays on loopback)
 * @param jettyPort the Jetty front end's port; 0 for a free one
 * @param tomcatPort the Tomcat front end's port; 0 for a free one
 * @param backendBasePort the first backend's port, the others follow it; 0 for free ports
 * @param maglev whether the Tomcat front end hashes with Maglev instead of a ring
 */
record DemoSettings(String host, int jettyPort, int tomcatPort, int backendBasePort, boolean maglev) {

  static final String HOST = "127.0.0.1";
  static final int JETTY_PORT = 8080;
  static final int TOMCAT_PORT = 8081;
  /**
   * Fixed by default so the walkthrough's session values and cookie-to-backend mapping are the
   * same on every run (and in the README). Not 5000, Istio's port: macOS's AirPlay receiver
   * holds it.
   */
  static final int BACKEND_BASE_PORT = 9001;

  static DemoSettings defaults() {
    return new DemoSettings(HOST, JETTY_PORT, TOMCAT_PORT, BACKEND_BASE_PORT, false);
  }

  /** Everything on free ports: for tests and for running beside another copy. */
  static DemoSettings ephemeral() {
    return new DemoSettings(HOST, 0, 0, 0, false);
  }

  DemoSettings withMaglev(boolean on) {
    return new DemoSettings(host, jettyPort, tomcatPort, backendBasePort, on);
  }
}
