package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Failure;
import dev.tether.api.Health;
import dev.tether.api.TetherConfig;
import dev.tether.core.CoreBalancer;
import dev.tether.core.Routing;
import dev.tether.core.TestRequest;
import dev.tether.core.jmx.JmxExporter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

/**
 * A balancer with its cluster runtime on a fake clock: a manual scheduler, a scripted DNS
 * resolver, scripted health checks and a private MBean server. Nothing in it sleeps or touches
 * the network.
 */
final class TestCluster implements AutoCloseable {
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

  final ManualScheduler scheduler = new ManualScheduler();
  final MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
  /** DNS answers per name; a name that is absent does not resolve. */
  final Map<String, List<String>> dns = new ConcurrentHashMap<>();
  final AtomicInteger resolutions = new AtomicInteger();
  /** Health-check answers per address; absent means PASSED. */
  final Map<String, HealthProbe.Result> checks = new ConcurrentHashMap<>();
  final List<String> checked = java.util.Collections.synchronizedList(new ArrayList<>());
  RunningBalancer balancer;

  final Resolver resolver = name -> {
    resolutions.incrementAndGet();
    List<String> answer = dns.get(name);
    if (answer == null) {
      throw new UnknownHostException(name + ": Name or service not known");
    }
    List<InetAddress> addresses = new ArrayList<>();
    for (String ip : answer) {
      addresses.add(InetAddress.getByName(ip));
    }
    return addresses;
  };

  final HealthProbe probe = (endpoint, path, timeout) -> {
    checked.add(endpoint.address() + path);
    return checks.getOrDefault(endpoint.address(), HealthProbe.Result.PASSED);
  };

  ClusterEnvironment environment() {
    SplittableRandom random = new SplittableRandom(7);
    return new ClusterEnvironment(CLOCK, random::nextLong, scheduler, scheduler, resolver, probe,
        mbeans, Duration.ZERO);
  }

  /** Starts a balancer from configuration keys (relative files against {@code baseDir}). */
  RunningBalancer start(Path baseDir, String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return start(Tether.parseConfig(map, baseDir));
  }

  RunningBalancer start(String... keyValues) {
    return start(Path.of(""), keyValues);
  }

  RunningBalancer start(TetherConfig config) {
    balancer = ClusterRuntime.start(config, environment());
    scheduler.runDue();
    return balancer;
  }

  /** The request path's balancer under the runtime. */
  CoreBalancer core() {
    return balancer.core();
  }

  /** What requests route with now: the same instance until the runtime publishes a new set. */
  Routing routing() {
    return balancer.core().routing();
  }

  void advance(Duration duration) {
    scheduler.advance(duration);
  }

  List<String> addresses() {
    List<String> list = new ArrayList<>();
    for (Endpoint e : balancer.endpoints()) {
      list.add(e.address());
    }
    return list;
  }

  Health health(String address) {
    for (Endpoint e : balancer.endpoints()) {
      if (e.address().equals(address)) {
        return e.health();
      }
    }
    throw new AssertionError(address + " is not an endpoint: " + balancer.endpoints());
  }

  /** Sends {@code count} requests' results for {@code address} through the container hooks. */
  void results(String address, int status, int count) {
    Endpoint endpoint = endpoint(address);
    for (int i = 0; i < count; i++) {
      balancer.requestStarted(endpoint);
      balancer.requestFinished(endpoint, status);
    }
    scheduler.runDue();
  }

  /** Sends {@code count} failed attempts at {@code address} through the container hooks. */
  void failures(String address, Failure failure, int count) {
    Endpoint endpoint = endpoint(address);
    for (int i = 0; i < count; i++) {
      balancer.requestStarted(endpoint);
      balancer.requestFailed(endpoint, failure);
    }
    scheduler.runDue();
  }

  Endpoint endpoint(String address) {
    for (Endpoint e : balancer.endpoints()) {
      if (e.address().equals(address)) {
        return e;
      }
    }
    throw new AssertionError(address + " is not an endpoint: " + balancer.endpoints());
  }

  /** Where {@code n} requests with distinct user headers go; every one must be routed. */
  List<String> spread(int n) {
    List<String> served = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Decision d = balancer.route(TestRequest.get("/").header("user", "u" + i));
      assertThat(d.routed()).as("request %d routed", i).isTrue();
      served.add(d.endpoint().address());
    }
    return served;
  }

  /** An attribute of the balancer's JMX bean, as a string. */
  String mbeanAttribute(String attribute) {
    return String.valueOf(mbean(balancerName(), attribute));
  }

  Object mbean(javax.management.ObjectName name, String attribute) {
    try {
      return mbeans.getAttribute(name, attribute);
    } catch (javax.management.JMException e) {
      throw new AssertionError(e);
    }
  }

  javax.management.ObjectName balancerName() {
    try {
      return new javax.management.ObjectName("dev.tether:type=Balancer,name="
          + balancer.config().name());
    } catch (javax.management.JMException e) {
      throw new AssertionError(e);
    }
  }

  javax.management.ObjectName endpointName(String address) {
    try {
      return JmxExporter.endpointName(balancer.config().name(), address);
    } catch (javax.management.JMException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (balancer != null) {
      balancer.close();
    }
  }
}
