package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.TetherConfig;
import dev.tether.core.Fixtures;
import dev.tether.core.TestRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;

/**
 * Real threads: the cluster thread rebuilds the Maglev table every few milliseconds from a DNS
 * answer that keeps changing, while request threads route, start and finish requests. Every
 * request must get an endpoint of one of the published sets, nothing may throw, and the in-flight
 * count must come back to zero. (maxEjectionPercent 25 allows one ejection among four hosts and
 * none among fewer, so every answer keeps a healthy endpoint.)
 */
final class ConcurrentRebuildTest {

  @Test
  void requestsRouteThroughRebuildsWithoutErrors() throws Exception {
    List<List<String>> answers = List.of(
        List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"),
        List.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"),
        List.of("10.0.0.1", "10.0.0.5"));
    AtomicInteger resolutions = new AtomicInteger();
    Resolver flipping = name -> {
      List<InetAddress> list = new ArrayList<>();
      for (String ip : answers.get(resolutions.getAndIncrement() % answers.size())) {
        list.add(InetAddress.getByName(ip));
      }
      return list;
    };
    TetherConfig config = Fixtures.config("endpoints", "dns:web:80", "dnsRefreshRate", "2ms",
        "loadBalancer", "MAGLEV", "tableSize", "10007", "hashPolicy", "header:user",
        "hashBalanceFactor", "150", "consecutive5xxErrors", "3", "maxEjectionPercent", "25",
        "baseEjectionTime", "5ms", "outlierInterval", "2ms", "name", "concurrent");
    ClusterEnvironment production = ClusterEnvironment.production(config, TestCluster.CLOCK, () -> 3L);
    ClusterEnvironment env = new ClusterEnvironment(production.clock(), production.random(),
        production.scheduler(), production.healthScheduler(), flipping, production.probe(),
        MBeanServerFactory.newMBeanServer(), Duration.ZERO);
    Set<String> valid = Set.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80",
        "10.0.0.5:80");
    Set<String> seen = ConcurrentHashMap.newKeySet();
    ExecutorService requests = Executors.newFixedThreadPool(4);
    try (RunningBalancer balancer = ClusterRuntime.start(config, env)) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        results.add(requests.submit(() -> {
          int routed = 0;
          for (int i = 0; i < 10_000; i++) {
            Decision d = balancer.route(TestRequest.get("/").header("user", thread + "-" + i));
            if (d.routed()) {
              Endpoint e = d.endpoint();
              balancer.requestStarted(e);
              balancer.requestFinished(e, i % 7 == 0 ? 503 : 200);
              seen.add(e.address());
              routed++;
            }
          }
          return routed;
        }));
      }
      int routed = 0;
      for (Future<Integer> result : results) {
        routed += result.get(60, TimeUnit.SECONDS);
      }
      assertThat(routed).isEqualTo(40_000);
      assertThat(resolutions.get()).isGreaterThan(3);
      assertThat(valid).containsAll(seen);
      assertThat(seen.size()).isGreaterThan(3);
      assertThat(balancer.core().stats().inFlightTotal()).isZero();
    } finally {
      requests.shutdownNow();
    }
  }
}
