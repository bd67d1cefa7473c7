package dev.tether.demo;

import java.io.IOException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The demo's topology in one process: Istio's helloworld walkthrough (five {@code v1}
 * instances and one {@code v2}), a Jetty front end with header-based stateful sessions and a
 * Tomcat front end with a cookie consistent hash, all routing over the same six backends.
 */
final class RunningDemo implements AutoCloseable {

  /** Envoy's stateful-session header, as in Istio's {@code persistent-session-header} label. */
  static final String SESSION_HEADER = "x-session-header";
  /** The cookie the Tomcat front end hashes; generated (session cookie) when absent. */
  static final String HASH_COOKIE = "sticky-session-key";
  static final String HASH_POLICY = "cookie:" + HASH_COOKIE + ";ttl=0s";

  /** Istio's walkthrough deploys helloworld v1 five times and v2 once. */
  static final List<String> VERSIONS = List.of("v1", "v1", "v1", "v1", "v1", "v2");

  private final DemoSettings settings;
  private final List<Backend> backends;
  private final FrontEnd jetty;
  private final FrontEnd tomcat;

  private RunningDemo(
      DemoSettings settings, List<Backend> backends, FrontEnd jetty, FrontEnd tomcat) {
    this.settings = settings;
    this.backends = List.copyOf(backends);
    this.jetty = jetty;
    this.tomcat = tomcat;
  }

  /**
   * Starts the backends, then the front ends. On any failure everything already started is
   * stopped before the exception leaves.
   *
   * @throws PortInUseException when a port is taken, naming the option that moves it
   */
  static RunningDemo start(DemoSettings settings) throws IOException {
    List<AutoCloseable> started = new ArrayList<>();
    try {
      List<Backend> backends = startBackends(settings, started);
      String endpoints = backends.stream().map(Backend::address).collect(Collectors.joining(","));
      FrontEnd jetty =
          JettyFrontEnd.start(settings.host(), settings.jettyPort(), jettyKeys(endpoints),
              "--jetty-port");
      started.add(jetty);
      FrontEnd tomcat =
          TomcatFrontEnd.start(settings.host(), settings.tomcatPort(),
              tomcatKeys(endpoints, settings.maglev()), "--tomcat-port");
      started.add(tomcat);
      return new RunningDemo(settings, backends, jetty, tomcat);
    } catch (IOException | RuntimeException | Error e) {
      closeAll(started);
      throw e;
    }
  }

  private static List<Backend> startBackends(DemoSettings settings, List<AutoCloseable> started)
      throws IOException {
    List<Backend> backends = new ArrayList<>();
    int v1 = 0;
    int v2 = 0;
    for (int i = 0; i < VERSIONS.size(); i++) {
      String version = VERSIONS.get(i);
      String name = "helloworld-" + version + "-" + (version.equals("v1") ? ++v1 : ++v2);
      int port = settings.backendBasePort() == 0 ? 0 : settings.backendBasePort() + i;
      try {
        Backend backend = Backend.start(settings.host(), port, name, version);
        started.add(backend);
        backends.add(backend);
      } catch (BindException e) {
        throw new PortInUseException(settings.host(), port, "backend " + name,
            "--backend-base-port", e);
      }
    }
    return backends;
  }

  /** The Jetty front end: header state only, so a first request is balanced at random. */
  static Map<String, String> jettyKeys(String endpoints) {
    return Map.of("endpoints", endpoints, "sessionHeader", SESSION_HEADER);
  }

  /** The Tomcat front end: consistent hash on a generated session cookie. */
  static Map<String, String> tomcatKeys(String endpoints, boolean maglev) {
    return Map.of(
        "endpoints", endpoints,
        "hashPolicy", HASH_POLICY,
        "loadBalancer", maglev ? "MAGLEV" : "RING_HASH");
  }

  DemoSettings settings() {
    return settings;
  }

  List<Backend> backends() {
    return backends;
  }

  int jettyPort() {
    return jetty.port();
  }

  int tomcatPort() {
    return tomcat.port();
  }

  /** Stops the front ends first, so no request is routed to a stopped backend. */
  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(backends);
    all.add(jetty);
    all.add(tomcat);
    closeAll(all);
  }

  private static void closeAll(List<? extends AutoCloseable> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // Best effort: the rest still has to stop.
      }
    }
  }
}
