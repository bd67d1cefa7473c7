package dev.tether.core;

import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers a balancer's beans: {@code dev.tether:type=Balancer,name=<name>} and one
 * {@code dev.tether:type=Endpoint,balancer=<name>,address="<ip:port>"} per current endpoint. A
 * name already taken in this MBean server (two front ends in one JVM, many tests) gets a suffix
 * {@code -2}, {@code -3}, ... rather than failing. JMX problems are logged, never thrown: metrics
 * must not stop a proxy from starting.
 */
final class JmxExporter {
  static final String DOMAIN = "dev.tether";
  private static final System.Logger LOG = System.getLogger(JmxExporter.class.getName());

  private final MBeanServer server;
  private final ClusterRuntime runtime;
  private final String name;
  private final ObjectName balancerName;
  private final Map<String, ObjectName> endpointNames = new LinkedHashMap<>();

  JmxExporter(MBeanServer server, String baseName, ClusterRuntime runtime) {
    this.server = server;
    this.runtime = runtime;
    String chosen = baseName;
    ObjectName registered = null;
    for (int n = 1; registered == null && n < 10_000; n++) {
      chosen = n == 1 ? baseName : baseName + "-" + n;
      try {
        ObjectName candidate = new ObjectName(DOMAIN + ":type=Balancer,name=" + chosen);
        server.registerMBean(new BalancerBean(chosen), candidate);
        registered = candidate;
      } catch (InstanceAlreadyExistsException e) {
        // Taken: try the next suffix.
      } catch (JMException e) {
        LOG.log(Level.WARNING, "cannot register the JMX bean of balancer " + chosen, e);
        break;
      }
    }
    this.name = chosen;
    this.balancerName = registered;
  }

  String name() {
    return name;
  }

  ObjectName balancerName() {
    return balancerName;
  }

  /** Registers beans of new endpoint addresses and unregisters those that left. */
  void syncEndpoints(Collection<String> addresses) {
    if (balancerName == null) {
      return;
    }
    Set<String> current = new HashSet<>(addresses);
    for (String gone : List.copyOf(endpointNames.keySet())) {
      if (!current.contains(gone)) {
        unregister(endpointNames.remove(gone));
      }
    }
    for (String address : addresses) {
      if (!endpointNames.containsKey(address)) {
        try {
          ObjectName objectName = endpointName(name, address);
          server.registerMBean(new EndpointBean(address), objectName);
          endpointNames.put(address, objectName);
        } catch (JMException e) {
          LOG.log(Level.WARNING, "cannot register the JMX bean of endpoint " + address, e);
        }
      }
    }
  }

  static ObjectName endpointName(String balancer, String address) throws JMException {
    return new ObjectName(DOMAIN + ":type=Endpoint,balancer=" + balancer + ",address="
        + ObjectName.quote(address));
  }

  void close() {
    for (ObjectName objectName : endpointNames.values()) {
      unregister(objectName);
    }
    endpointNames.clear();
    if (balancerName != null) {
      unregister(balancerName);
    }
  }

  private void unregister(ObjectName objectName) {
    try {
      if (server.isRegistered(objectName)) {
        server.unregisterMBean(objectName);
      }
    } catch (JMException e) {
      LOG.log(Level.DEBUG, "cannot unregister " + objectName, e);
    }
  }

  private final class BalancerBean implements TetherBalancerMXBean {
    private final String beanName;

    BalancerBean(String beanName) {
      this.beanName = beanName;
    }

    private ClusterStats stats() {
      return runtime.balancer().stats();
    }

    @Override
    public String getName() {
      return beanName;
    }

    @Override
    public String getEndpointSource() {
      return runtime.sourceName();
    }

    @Override
    public int getEndpointCount() {
      return runtime.published().size();
    }

    @Override
    public int getHealthyEndpointCount() {
      return count(true, null);
    }

    @Override
    public int getEjectedEndpointCount() {
      return runtime.ejectedCount();
    }

    @Override
    public int getDrainingEndpointCount() {
      return count(false, Health.DRAINING);
    }

    private int count(boolean healthy, Health health) {
      int n = 0;
      for (Endpoint e : runtime.published()) {
        if (healthy ? e.health().isHealthy() : e.health() == health) {
          n++;
        }
      }
      return n;
    }

    @Override
    public long getPinnedSessionHits() {
      return stats().pinnedSessionHits.sum();
    }

    @Override
    public long getRePins() {
      return stats().rePins.sum();
    }

    @Override
    public long getStrictRejections() {
      return stats().strictRejections.sum();
    }

    @Override
    public long getInvalidSessionValues() {
      return stats().invalidSessionValues.sum();
    }

    @Override
    public long getNoHealthyUpstream() {
      return stats().noHealthyUpstream.sum();
    }

    @Override
    public long getRetries() {
      return stats().retries.sum();
    }

    @Override
    public int getOpenTunnels() {
      return stats().openTunnels.get();
    }

    @Override
    public String getLastDiscoveryError() {
      return runtime.discoveryError();
    }

    private SessionSealing sealing() {
      return runtime.balancer().sealing();
    }

    @Override
    public String getSessionSeal() {
      SessionSealing sealing = sealing();
      return sealing == null ? "off" : sealing.mode().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String getActiveSessionKey() {
      SessionSealing sealing = sealing();
      return sealing == null ? "" : sealing.ring().active().id;
    }

    @Override
    public String getSessionKeyIds() {
      SessionSealing sealing = sealing();
      return sealing == null ? "" : String.join(",", sealing.ring().ids());
    }

    @Override
    public long getSealedSessionValues() {
      SessionSealing sealing = sealing();
      return sealing == null ? 0 : sealing.seals.sum();
    }

    @Override
    public long getPlainSessionValuesHonoured() {
      SessionSealing sealing = sealing();
      return sealing == null ? 0 : sealing.plainHonoured.sum();
    }

    @Override
    public long getRenewedSessionValues() {
      SessionSealing sealing = sealing();
      return sealing == null ? 0 : sealing.renewals.sum();
    }

    @Override
    public String getLastKeyRingError() {
      SessionSealing sealing = sealing();
      return sealing == null ? "" : sealing.lastError();
    }

    @Override
    public boolean drain(String address) {
      return runtime.setDraining(address, true);
    }

    @Override
    public boolean undrain(String address) {
      return runtime.setDraining(address, false);
    }
  }

  private final class EndpointBean implements TetherEndpointMXBean {
    private final String address;

    EndpointBean(String address) {
      this.address = address;
    }

    private ClusterRuntime.HostView view() {
      return runtime.view(address);
    }

    private EndpointStats stats() {
      EndpointStats stats = runtime.balancer().stats().of(address);
      return stats == null ? new EndpointStats() : stats;
    }

    @Override
    public String getAddress() {
      return address;
    }

    @Override
    public String getHealth() {
      ClusterRuntime.HostView view = view();
      return view == null ? "REMOVED" : view.endpoint().health().name();
    }

    @Override
    public boolean isDraining() {
      ClusterRuntime.HostView view = view();
      return view != null && view.endpoint().health() == Health.DRAINING;
    }

    @Override
    public boolean isEjected() {
      ClusterRuntime.HostView view = view();
      return view != null && view.ejected();
    }

    @Override
    public boolean isFailingHealthChecks() {
      ClusterRuntime.HostView view = view();
      return view != null && view.failingHealthChecks();
    }

    @Override
    public int getWeight() {
      ClusterRuntime.HostView view = view();
      return view == null ? 0 : view.endpoint().weight();
    }

    @Override
    public String getLocality() {
      ClusterRuntime.HostView view = view();
      return view == null ? "" : view.endpoint().locality();
    }

    @Override
    public int getPriority() {
      ClusterRuntime.HostView view = view();
      return view == null ? 0 : view.endpoint().priority();
    }

    @Override
    public int getRequestsInFlight() {
      return runtime.balancer().inFlight().of(address);
    }

    @Override
    public long getRequests() {
      return stats().requests.sum();
    }

    @Override
    public long getDrainingRequests() {
      return stats().drainingRequests.sum();
    }

    @Override
    public long getConnectFailures() {
      return stats().connectFailures.sum();
    }

    @Override
    public long getServerErrors() {
      return stats().serverErrors.sum();
    }

    @Override
    public long getResets() {
      return stats().resets.sum();
    }

    @Override
    public long getTimeouts() {
      return stats().timeouts.sum();
    }

    @Override
    public long getFailures() {
      return stats().failures();
    }

    @Override
    public int getOpenTunnels() {
      return stats().openTunnels.get();
    }

    @Override
    public long getEjections() {
      return stats().ejections.sum();
    }

    @Override
    public long getPinnedSessionHits() {
      return stats().pinnedSessionHits.sum();
    }

    @Override
    public long getRePins() {
      return stats().rePins.sum();
    }

    @Override
    public void drain() {
      runtime.setDraining(address, true);
    }

    @Override
    public void undrain() {
      runtime.setDraining(address, false);
    }
  }
}
