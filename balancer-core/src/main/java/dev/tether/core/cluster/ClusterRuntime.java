package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import dev.tether.api.EndpointSource;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import dev.tether.core.CoreBalancer;
import dev.tether.core.SealingState;
import dev.tether.core.config.EndpointSyntax;
import dev.tether.core.jmx.ClusterView;
import dev.tether.core.jmx.HostView;
import dev.tether.core.jmx.JmxExporter;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a balancer's endpoint set current. It holds one {@link HostState} per address, publishes
 * the effective set to the request path whenever it changes, starts and stops the background
 * work, and answers JMX ({@link ClusterView}). The concerns that change hosts each have a class
 * of their own: {@link DnsDiscovery} and {@link FileDiscovery} (which addresses exist),
 * {@link HealthChecker} (active checks), {@link OutlierDetector} (ejections); an operator's drain
 * through JMX ({@link #setDraining}) is one transition and stays here.
 *
 * <p>Threading: all host state is guarded by one lock and changed only by background work (the
 * cluster scheduler, the health-check scheduler, JMX operations). The request path never takes
 * the lock: it reads the balancer's volatile routing, and a run of errors that calls for an
 * ejection is handed to the cluster scheduler. Every rebuild of the ring or table therefore
 * happens off the request path. Time is the scheduler's monotonic clock alone.
 */
final class ClusterRuntime implements ClusterView, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterRuntime.class.getName());

  private final TetherConfig config;
  private final CoreBalancer balancer;
  private final ClusterEnvironment env;
  private final Scheduler scheduler;
  private final String sourceName;
  private final DiscoveryStatus status;
  private final HealthChecker health;
  private final OutlierDetector outlier;

  private final Object lock = new Object();
  /** Per address, in source order. Guarded by {@link #lock}. */
  private final Map<String, HostState> hosts = new LinkedHashMap<>();
  private List<Endpoint> published = List.of();
  private final List<Scheduler.Task> tasks = new ArrayList<>();
  private boolean closed;
  private JmxExporter jmx;

  private ClusterRuntime(TetherConfig config, CoreBalancer balancer, ClusterEnvironment env) {
    this.config = config;
    this.balancer = balancer;
    this.env = env;
    this.scheduler = env.scheduler();
    this.sourceName = describe(config.endpointSource());
    this.status = new DiscoveryStatus(sourceName);
    this.health = new HealthChecker(config.healthCheck(), env.healthScheduler(), env.probe(), this);
    this.outlier = new OutlierDetector(config.outlierDetection(), scheduler, this);
  }

  /**
   * Builds a balancer and starts its runtime: reads the source once (a DNS name is resolved
   * before this returns, as Envoy initializes a STRICT_DNS cluster), starts refreshes, health
   * checks, ejection sweeps and key ring re-reads, registers the JMX beans and, with health checks
   * on, waits up to {@link ClusterEnvironment#healthWarmup()} for every endpoint's first check.
   */
  static RunningBalancer start(TetherConfig config, ClusterEnvironment env) {
    CoreBalancer balancer =
        CoreBalancer.create(config, config.endpoints(), env.clock(), env.random());
    ClusterRuntime runtime = new ClusterRuntime(config, balancer, env);
    runtime.startInternal();
    return new RunningBalancer(balancer, runtime);
  }

  private void startInternal() {
    EndpointSource source = config.endpointSource();
    synchronized (lock) {
      published = balancer.endpoints();
      setDiscovered(config.endpoints());
    }
    long refresh = source.refreshRate().toNanos();
    if (source.kind() == EndpointSource.Kind.DNS) {
      String warning = env.resolver() == Resolver.JVM
          ? JvmDnsCache.warning(source.refreshRate())
          : null;
      if (warning != null) {
        LOG.log(Level.WARNING, sourceName + ": " + warning);
      }
      DnsDiscovery dns = new DnsDiscovery(source, env.resolver(), this);
      dns.refresh();
      track(scheduler.repeat(dns::refresh, refresh, refresh));
    } else if (source.kind() == EndpointSource.Kind.FILE) {
      FileDiscovery file = new FileDiscovery(Path.of(source.path()), this);
      file.refresh();
      track(scheduler.repeat(file::refresh, refresh, refresh));
    }
    SealingState sealing = balancer.sealing();
    if (!sealing.refreshRate().isZero()) {
      long rate = sealing.refreshRate().toNanos();
      track(scheduler.repeat(sealing::refresh, rate, rate));
    }
    if (outlier.enabled()) {
      track(scheduler.repeat(outlier::sweep, outlier.intervalNanos(), outlier.intervalNanos()));
    }
    if (env.mbeanServer() != null) {
      JmxExporter exporter = JmxExporter.register(env.mbeanServer(), config.name(), balancer, this,
          env.clock(), env.random());
      synchronized (lock) {
        jmx = exporter;
        exporter.syncEndpoints(hosts.keySet());
      }
    }
    health.awaitFirstRound(env.healthWarmup());
  }

  private void track(Scheduler.Task task) {
    synchronized (lock) {
      if (closed) {
        task.cancel();
      } else {
        tasks.add(task);
      }
    }
  }

  // ---------------------------------------------------------------- discovery

  DiscoveryStatus status() {
    return status;
  }

  int hostCount() {
    synchronized (lock) {
      return hosts.size();
    }
  }

  /** A source's new list (discovery threads). */
  void discovered(List<Endpoint> endpoints) {
    synchronized (lock) {
      setDiscovered(endpoints);
    }
  }

  /** Takes a new source list: new addresses get state (and health checks), gone ones lose it. */
  private void setDiscovered(List<Endpoint> endpoints) {
    if (closed) {
      return;
    }
    Set<String> incoming = new LinkedHashSet<>();
    for (Endpoint e : endpoints) {
      incoming.add(e.address());
    }
    List<String> removed = new ArrayList<>();
    for (HostState host : hosts.values()) {
      if (!incoming.contains(host.address())) {
        host.cancelProbe();
        removed.add(host.address());
      }
    }
    hosts.keySet().removeAll(removed);
    List<String> added = new ArrayList<>();
    Map<String, HostState> reordered = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      HostState host = hosts.get(e.address());
      if (host == null) {
        host = new HostState(e, health.enabled());
        added.add(e.address());
        if (health.enabled()) {
          health.watch(host);
        }
      }
      host.listed(e);
      reordered.put(e.address(), host);
    }
    hosts.clear();
    hosts.putAll(reordered);
    outlier.retain(hosts.keySet());
    if (config.endpointSource().isDynamic() && (!added.isEmpty() || !removed.isEmpty())) {
      LOG.log(Level.INFO, sourceName + ": " + hosts.size() + " endpoints"
          + (added.isEmpty() ? "" : ", added " + added)
          + (removed.isEmpty() ? "" : ", removed " + removed));
    }
    rebuild();
  }

  /** Publishes the effective endpoint set when it differs from the published one (under the lock). */
  void rebuild() {
    List<Endpoint> effective = new ArrayList<>(hosts.size());
    for (HostState host : hosts.values()) {
      effective.add(host.effectiveEndpoint());
    }
    if (effective.equals(published)) {
      return;
    }
    balancer.update(effective);
    published = List.copyOf(effective);
    if (jmx != null) {
      jmx.syncEndpoints(hosts.keySet());
    }
  }

  // ---------------------------------------------------------------- what the concerns share

  /** The lock that guards every {@link HostState} and the published set. */
  Object lock() {
    return lock;
  }

  /** Whether {@code host} is still the state of its address (under the lock). */
  boolean isCurrent(HostState host) {
    return !closed && hosts.get(host.address()) == host;
  }

  /** The state of {@code address}; null when it is not an endpoint or the runtime closed. */
  HostState current(String address) {
    return closed ? null : hosts.get(address);
  }

  /** Every host, in source order (under the lock). */
  Collection<HostState> hostStates() {
    return hosts.values();
  }

  boolean isClosed() {
    return closed;
  }

  /** The runtime's monotonic clock: the cluster scheduler's. */
  Scheduler clock() {
    return scheduler;
  }

  OutlierDetector outlier() {
    return outlier;
  }

  // ---------------------------------------------------------------- operator actions and views

  @Override
  public boolean setDraining(String address, boolean draining) {
    String canonical;
    try {
      canonical = EndpointSyntax.parse("address", address.trim()).address();
    } catch (ConfigException | NullPointerException e) {
      return false;
    }
    synchronized (lock) {
      HostState host = hosts.get(canonical);
      if (closed || host == null) {
        return false;
      }
      if (host.drained(draining)) {
        LOG.log(Level.INFO, sourceName + ": " + canonical
            + (draining ? " draining: pinned sessions stay, new ones go elsewhere"
                : " no longer draining"));
        rebuild();
      }
      return true;
    }
  }

  @Override
  public HostView host(String address) {
    synchronized (lock) {
      HostState host = hosts.get(address);
      return host == null ? null : host.view();
    }
  }

  @Override
  public List<Endpoint> endpoints() {
    synchronized (lock) {
      return published;
    }
  }

  @Override
  public int ejectedCount() {
    synchronized (lock) {
      return outlier.ejectedCount();
    }
  }

  @Override
  public String discoveryError() {
    return status.error();
  }

  @Override
  public String sourceName() {
    return sourceName;
  }

  @Override
  public void close() {
    JmxExporter exporter;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (Scheduler.Task task : tasks) {
        task.cancel();
      }
      tasks.clear();
      for (HostState host : hosts.values()) {
        host.cancelProbe();
      }
      exporter = jmx;
      jmx = null;
    }
    scheduler.shutdown();
    env.healthScheduler().shutdown();
    if (exporter != null) {
      exporter.close();
    }
  }

  private static String describe(EndpointSource source) {
    switch (source.kind()) {
      case DNS:
        return "dns:" + source.name() + ":" + source.port();
      case FILE:
        return "file:" + source.path();
      default:
        return "static endpoints";
    }
  }
}
