package dev.tether.core;

import dev.tether.api.Endpoint;
import dev.tether.api.EndpointSource;
import dev.tether.api.HealthCheck;
import dev.tether.api.TetherConfig;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a balancer's endpoint set current: discovers endpoints (static list, DNS name, endpoints
 * file), runs active health checks, ejects outliers, applies an operator's drain, and publishes a
 * new routing snapshot whenever the effective set changes.
 *
 * <p>Threading: all state lives in {@link HostState}s guarded by one lock and is changed only by
 * background work (the cluster scheduler, the health-check scheduler, JMX operations). The request
 * path never takes the lock: it reads the balancer's volatile snapshot, and a run of errors that
 * calls for an ejection is handed to the cluster scheduler. Every rebuild of the ring or table
 * therefore happens off the request path.
 */
final class ClusterRuntime implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterRuntime.class.getName());

  private final TetherConfig config;
  private final DefaultBalancer balancer;
  private final ClusterEnvironment env;
  private final Scheduler scheduler;
  private final Scheduler healthScheduler;
  private final HealthCheck healthCheck;
  private final OutlierDetector outlier;
  private final String sourceName;

  private final Object lock = new Object();
  /** Per address, in source order. Guarded by {@link #lock}. */
  private final Map<String, HostState> hosts = new LinkedHashMap<>();
  private List<Endpoint> published = List.of();
  private final List<Scheduler.Task> tasks = new ArrayList<>();
  private boolean closed;
  /** Why the source last failed; empty when its last read worked. */
  private volatile String discoveryError = "";

  // Endpoints file: the last content seen, so an unchanged file is not parsed again.
  private boolean fileSeen;
  private long fileHash;
  private boolean fileValid;

  private JmxExporter jmx;

  private ClusterRuntime(TetherConfig config, DefaultBalancer balancer, ClusterEnvironment env) {
    this.config = config;
    this.balancer = balancer;
    this.env = env;
    this.scheduler = env.scheduler();
    this.healthScheduler = env.healthScheduler();
    this.healthCheck = config.healthCheck();
    this.outlier = config.outlierDetection() == null
        ? null
        : new OutlierDetector(config.outlierDetection());
    this.sourceName = describe(config.endpointSource());
  }

  /**
   * Builds a balancer and starts its runtime: reads the source once (a DNS name is resolved
   * before this returns, as Envoy initializes a STRICT_DNS cluster), starts refreshes, health
   * checks and ejection sweeps, registers the JMX beans and, with health checks on, waits up to
   * {@link ClusterEnvironment#healthWarmup()} for every endpoint's first check.
   */
  static DefaultBalancer start(TetherConfig config, ClusterEnvironment env) {
    DefaultBalancer balancer =
        new DefaultBalancer(config, config.endpoints(), env.clock(), env.random(), env.nonces());
    ClusterRuntime runtime = new ClusterRuntime(config, balancer, env);
    balancer.attach(runtime);
    runtime.startInternal();
    return balancer;
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
      refreshDns();
      track(scheduler.repeat(this::refreshDns, refresh, refresh));
    } else if (source.kind() == EndpointSource.Kind.FILE) {
      refreshFile();
      track(scheduler.repeat(this::refreshFile, refresh, refresh));
    }
    SessionSealing sealing = balancer.sealing();
    if (sealing != null) {
      long rate = sealing.refreshNanos();
      track(scheduler.repeat(sealing::refresh, rate, rate));
    }
    if (outlier != null) {
      track(scheduler.repeat(this::sweep, outlier.intervalNanos(), outlier.intervalNanos()));
    }
    if (env.mbeanServer() != null) {
      JmxExporter exporter = new JmxExporter(env.mbeanServer(), config.name(), this);
      synchronized (lock) {
        jmx = exporter;
        exporter.syncEndpoints(hosts.keySet());
      }
    }
    awaitFirstChecks();
  }

  private void awaitFirstChecks() {
    if (healthCheck == null || env.healthWarmup().isZero()) {
      return;
    }
    long deadline = System.nanoTime() + env.healthWarmup().toNanos();
    synchronized (lock) {
      try {
        while (!closed && awaitingFirstCheck()) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
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
      if (host.firstCheck) {
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

  /** Resolves the DNS name; a failure keeps the last good set (Envoy keeps its hosts too). */
  void refreshDns() {
    EndpointSource source = config.endpointSource();
    List<InetAddress> addresses;
    try {
      addresses = env.resolver().resolve(source.name());
    } catch (UnknownHostException | RuntimeException e) {
      int kept;
      synchronized (lock) {
        kept = hosts.size();
      }
      discoveryFailed("cannot resolve " + source.name() + " (" + e.getMessage() + "); keeping the"
          + " last " + kept + " endpoints");
      return;
    }
    List<Endpoint> endpoints = DnsEndpoints.of(addresses, source.port());
    synchronized (lock) {
      setDiscovered(endpoints);
    }
    discoverySucceeded();
  }

  /**
   * Re-reads the endpoints file; acts only when its content changed. A file that cannot be read
   * or parsed keeps the last good set, and the reason is logged once per distinct problem.
   */
  void refreshFile() {
    Path path = Path.of(config.endpointSource().path());
    byte[] content;
    try {
      content = EndpointsFile.read(path);
    } catch (EndpointsFile.InvalidFile e) {
      discoveryFailed(keepingMessage(e.getMessage()));
      return;
    }
    long hash = XxHash64.hash(content, 0, content.length, 0);
    synchronized (lock) {
      if (fileSeen && hash == fileHash) {
        if (fileValid) {
          discoverySucceeded();
        }
        return;
      }
      fileSeen = true;
      fileHash = hash;
      fileValid = false;
    }
    List<Endpoint> endpoints;
    try {
      endpoints = EndpointsFile.parse(content);
    } catch (EndpointsFile.InvalidFile e) {
      discoveryFailed(keepingMessage(e.getMessage()));
      return;
    }
    synchronized (lock) {
      fileValid = true;
      setDiscovered(endpoints);
    }
    discoverySucceeded();
  }

  private String keepingMessage(String problem) {
    int kept;
    synchronized (lock) {
      kept = hosts.size();
    }
    return problem + "; keeping the last good set of " + kept + " endpoints";
  }

  private void discoveryFailed(String message) {
    if (!message.equals(discoveryError)) {
      LOG.log(Level.WARNING, sourceName + ": " + message);
    }
    discoveryError = message;
  }

  /**
   * Clears the error only after the new set is published, so that whoever reads the error first
   * and sees it clear also sees the endpoints that cleared it.
   */
  private void discoverySucceeded() {
    if (!discoveryError.isEmpty()) {
      LOG.log(Level.INFO, sourceName + ": endpoints readable again");
      discoveryError = "";
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
      if (!incoming.contains(host.address)) {
        host.cancelProbe();
        removed.add(host.address);
      }
    }
    hosts.keySet().removeAll(removed);
    List<String> added = new ArrayList<>();
    Map<String, HostState> reordered = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      HostState host = hosts.get(e.address());
      if (host == null) {
        host = new HostState(e, healthCheck != null);
        added.add(e.address());
        if (healthCheck != null) {
          scheduleCheck(host, 0);
        }
      }
      host.endpoint = e;
      reordered.put(e.address(), host);
    }
    hosts.clear();
    hosts.putAll(reordered);
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

  private void scheduleCheck(HostState host, long delayNanos) {
    host.probe = healthScheduler.schedule(() -> check(host), delayNanos);
  }

  private void check(HostState host) {
    Endpoint target;
    synchronized (lock) {
      if (closed || hosts.get(host.address) != host) {
        return;
      }
      target = host.endpoint;
    }
    HealthProbe.Result result;
    try {
      result = env.probe().check(target, healthCheck.path(), healthCheck.timeout());
    } catch (RuntimeException e) {
      result = HealthProbe.Result.NETWORK_FAILURE;
    }
    synchronized (lock) {
      if (closed || hosts.get(host.address) != host) {
        return;
      }
      boolean wasFirst = host.firstCheck;
      boolean changed = ActiveHealth.apply(healthCheck, host, result);
      if (changed && !wasFirst) {
        LOG.log(Level.INFO, sourceName + ": " + host.address + " is "
            + (host.failedActiveCheck ? "failing" : "passing") + " health checks (" + result + ")");
      }
      if (result == HealthProbe.Result.PASSED && !host.failedActiveCheck && host.ejected
          && outlier != null) {
        outlier.uneject(host, scheduler.nanoTime(), balancer.stats().of(host.address));
        changed = true;
      }
      if (changed) {
        rebuild();
      }
      if (wasFirst) {
        lock.notifyAll();
      }
      scheduleCheck(host, healthCheck.interval().toNanos());
    }
  }

  // ---------------------------------------------------------------- outlier detection

  /** Request path: counts the result; a run reaching its threshold is handed to the scheduler. */
  void onResult(String address, EndpointStats stats, int status) {
    if (outlier == null) {
      return;
    }
    int triggered = outlier.record(stats, status);
    if (triggered != 0) {
      scheduler.schedule(() -> consecutiveErrors(address, stats, triggered), 0);
    }
  }

  private void consecutiveErrors(String address, EndpointStats stats, int triggered) {
    synchronized (lock) {
      HostState host = hosts.get(address);
      if (closed || host == null) {
        return;
      }
      int ejectedNow = 0;
      for (HostState h : hosts.values()) {
        ejectedNow += h.ejected ? 1 : 0;
      }
      if (outlier.onConsecutiveErrors(host, stats, triggered, scheduler.nanoTime(), hosts.size(),
          ejectedNow)) {
        LOG.log(Level.WARNING, sourceName + ": ejected " + address + " for "
            + outlier.ejectionNanos(host) / 1_000_000 + "ms after consecutive "
            + ((triggered & OutlierDetector.CONSECUTIVE_5XX) != 0 ? "5xx errors" : "gateway errors"));
        rebuild();
      } else if (!host.ejected) {
        LOG.log(Level.DEBUG, sourceName + ": not ejecting " + address + ": maxEjectionPercent "
            + config.outlierDetection().maxEjectionPercent() + " reached");
      }
    }
  }

  void sweep() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (outlier.sweep(hosts.values(), scheduler.nanoTime(), balancer.stats())) {
        LOG.log(Level.INFO, sourceName + ": ejection time over, endpoints back: " + ejected(false));
        rebuild();
      }
    }
  }

  private List<String> ejected(boolean ejected) {
    List<String> list = new ArrayList<>();
    for (HostState h : hosts.values()) {
      if (h.ejected == ejected) {
        list.add(h.address);
      }
    }
    return list;
  }

  // ---------------------------------------------------------------- operator actions and views

  /**
   * Sets or clears an operator's drain of {@code address} (any spelling of the IP the endpoints
   * key accepts).
   *
   * @return false when no current endpoint has that address
   */
  boolean setDraining(String address, boolean draining) {
    String canonical;
    try {
      canonical = EndpointListParser.parseOne("address", address.trim()).address();
    } catch (ConfigException | NullPointerException e) {
      return false;
    }
    synchronized (lock) {
      HostState host = hosts.get(canonical);
      if (closed || host == null) {
        return false;
      }
      if (host.operatorDraining != draining) {
        host.operatorDraining = draining;
        LOG.log(Level.INFO, sourceName + ": " + canonical
            + (draining ? " draining: pinned sessions stay, new ones go elsewhere" : " no longer draining"));
        rebuild();
      }
      return true;
    }
  }

  /** A consistent copy of one host's state for JMX; null when the address is gone. */
  HostView view(String address) {
    synchronized (lock) {
      HostState host = hosts.get(address);
      if (host == null) {
        return null;
      }
      return new HostView(host.effectiveEndpoint(), host.ejected, host.failedActiveCheck);
    }
  }

  /** The effective endpoints as last published. */
  List<Endpoint> published() {
    synchronized (lock) {
      return published;
    }
  }

  int ejectedCount() {
    synchronized (lock) {
      return ejected(true).size();
    }
  }

  String discoveryError() {
    return discoveryError;
  }

  String sourceName() {
    return sourceName;
  }

  DefaultBalancer balancer() {
    return balancer;
  }

  /** Host state as JMX shows it. */
  record HostView(Endpoint endpoint, boolean ejected, boolean failingHealthChecks) {}

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
    healthScheduler.shutdown();
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
