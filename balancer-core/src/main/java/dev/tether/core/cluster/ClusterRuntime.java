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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a balancer's endpoint set current. It holds one {@link HostState} per address and
 * publishes the effective set to the request path whenever it changes; the concerns that change
 * hosts each have a class of their own: {@link DnsDiscovery} and {@link FileDiscovery} (which
 * addresses exist), {@link HealthChecker} (active checks), {@link OutlierDetector} (ejections),
 * and an operator's drain through JMX ({@link #setDraining}).
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
    this.outlier = new OutlierDetector(config.outlierDetection());
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
      String warning = env.resolver() == Resolver.SYSTEM
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
      track(scheduler.repeat(this::sweep, outlier.intervalNanos(), outlier.intervalNanos()));
    }
    if (env.mbeanServer() != null) {
      JmxExporter exporter = JmxExporter.register(env.mbeanServer(), config.name(), balancer, this);
      synchronized (lock) {
        jmx = exporter;
        exporter.syncEndpoints(hosts.keySet());
      }
    }
    awaitFirstChecks();
  }

  /** Waits for every host's first check, up to the warm-up, on the scheduler's clock. */
  private void awaitFirstChecks() {
    if (!health.enabled() || env.healthWarmup().isZero()) {
      return;
    }
    long deadline = scheduler.nanoTime() + env.healthWarmup().toNanos();
    synchronized (lock) {
      try {
        while (!closed && awaitingFirstCheck()) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - scheduler.nanoTime());
          if (left <= 0) {
            LOG.log(Level.INFO, sourceName + ": not every endpoint answered its first health"
                + " check within " + env.healthWarmup().toMillis() + "ms; those count as"
                + " unhealthy until one passes");
            return;
          }
          lock.wait(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean awaitingFirstCheck() {
    for (HostState host : hosts.values()) {
      if (host.awaitingFirstCheck()) {
        return true;
      }
    }
    return false;
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

  /** Publishes the effective endpoint set when it differs from the published one. */
  private void rebuild() {
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

  // ---------------------------------------------------------------- active health checks

  /** The endpoint to check for {@code host}; null when the host is gone or the runtime closed. */
  Endpoint checkTarget(HostState host) {
    synchronized (lock) {
      return closed || hosts.get(host.address()) != host ? null : host.source();
    }
  }

  /** Applies a check's result, then schedules the next check. */
  void checked(HostState host, HealthProbe.Result result) {
    synchronized (lock) {
      if (closed || hosts.get(host.address()) != host) {
        return;
      }
      boolean wasFirst = host.awaitingFirstCheck();
      boolean changed = host.checked(health.config(), result);
      if (changed && !wasFirst) {
        LOG.log(Level.INFO, sourceName + ": " + host.address() + " is "
            + (host.failingChecks() ? "failing" : "passing") + " health checks (" + result + ")");
      }
      if (result == HealthProbe.Result.PASSED && !host.failingChecks() && host.isEjected()
          && outlier.enabled()) {
        outlier.uneject(host, scheduler.nanoTime());
        changed = true;
      }
      if (changed) {
        rebuild();
      }
      if (wasFirst) {
        lock.notifyAll();
      }
      health.again(host);
    }
  }

  // ---------------------------------------------------------------- outlier detection

  /** Request path: counts a result; a run reaching its threshold is handed to the scheduler. */
  void result(String address, int status) {
    if (!outlier.enabled()) {
      return;
    }
    int triggered = outlier.record(address, status);
    if (triggered != 0) {
      scheduler.schedule(() -> consecutiveErrors(address, triggered), 0);
    }
  }

  private void consecutiveErrors(String address, int triggered) {
    synchronized (lock) {
      HostState host = hosts.get(address);
      if (closed || host == null) {
        return;
      }
      if (outlier.onConsecutiveErrors(host, triggered, scheduler.nanoTime(), hosts.size(),
          countEjected())) {
        LOG.log(Level.WARNING, sourceName + ": ejected " + address + " for "
            + outlier.ejectionNanos(host) / 1_000_000 + "ms after consecutive "
            + ((triggered & OutlierDetector.CONSECUTIVE_5XX) != 0 ? "5xx errors" : "gateway errors"));
        rebuild();
      } else if (!host.isEjected()) {
        LOG.log(Level.DEBUG, sourceName + ": not ejecting " + address + ": maxEjectionPercent "
            + outlier.maxEjectionPercent() + " reached");
      }
    }
  }

  void sweep() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (outlier.sweep(hosts.values(), scheduler.nanoTime())) {
        LOG.log(Level.INFO, sourceName + ": ejection time over, endpoints back: " + notEjected());
        rebuild();
      }
    }
  }

  /** Under the lock. */
  private int countEjected() {
    int n = 0;
    for (HostState host : hosts.values()) {
      n += host.isEjected() ? 1 : 0;
    }
    return n;
  }

  private List<String> notEjected() {
    List<String> list = new ArrayList<>();
    for (HostState host : hosts.values()) {
      if (!host.isEjected()) {
        list.add(host.address());
      }
    }
    return list;
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
      return countEjected();
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
