package dev.tether.core.cluster;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Endpoint;
import dev.tether.core.TestRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs in a JVM of its own, started by {@link DnsHostsFileTest} with
 * {@code -Djdk.net.hosts.file}: two balancers on real name resolution (the JDK resolver reading
 * that file) and real background threads. Prints a line whenever what it sees changes; exits
 * when its standard input closes or after a minute.
 */
public final class DnsHostsFileMain {
  private DnsHostsFileMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // Wait for the parent to close our input.
        }
      } catch (IOException e) {
        // Parent gone.
      }
      System.exit(0);
    });
    stdin.setDaemon(true);
    stdin.start();
    try (Balancer missing = Tether.balancer(Tether.parseConfig(Map.of(
            "endpoints", "dns:missing.tether.test:8080", "dnsResolvers", "jvm",
            "name", "dns-missing")));
        Balancer balancer = Tether.balancer(Tether.parseConfig(Map.of(
            "endpoints", "dns:backend.tether.test:8080", "dnsRefreshRate", "100ms",
            "dnsResolvers", "jvm",
            "name", "dns-child")))) {
      System.out.println("missing " + missing.route(TestRequest.get("/")).outcome());
      ClusterRuntime runtime = ((RunningBalancer) balancer).runtime();
      String last = null;
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline) {
        // The error first: the runtime clears it only after publishing the set that cleared it.
        String error = runtime.discoveryError();
        List<String> addresses = new ArrayList<>();
        for (Endpoint e : balancer.endpoints()) {
          addresses.add(e.address());
        }
        String line = "endpoints " + addresses + (error.isEmpty() ? "" : " error " + error);
        if (!line.equals(last)) {
          System.out.println(line);
          System.out.flush();
          last = line;
        }
        Thread.sleep(20);
      }
    }
  }
}
