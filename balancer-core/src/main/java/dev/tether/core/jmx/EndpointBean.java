package dev.tether.core.jmx;

import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.core.CoreBalancer;
import dev.tether.core.EndpointStats;
import dev.tether.core.HostTable;
import dev.tether.core.Routing;

/**
 * {@link TetherEndpointMXBean} of one address. An address that left the endpoint set reads as
 * {@code REMOVED} with zero counters until its bean is unregistered.
 */
final class EndpointBean implements TetherEndpointMXBean {
  private final String address;
  private final CoreBalancer balancer;
  private final ClusterView cluster;

  EndpointBean(String address, CoreBalancer balancer, ClusterView cluster) {
    this.address = address;
    this.balancer = balancer;
    this.cluster = cluster;
  }

  private HostView view() {
    return cluster.host(address);
  }

  private EndpointStats stats() {
    EndpointStats stats = balancer.stats().endpoint(address);
    return stats == null ? EndpointStats.NONE : stats;
  }

  @Override
  public String getAddress() {
    return address;
  }

  @Override
  public String getHealth() {
    HostView view = view();
    return view == null ? "REMOVED" : view.endpoint().health().name();
  }

  @Override
  public boolean isDraining() {
    HostView view = view();
    return view != null && view.endpoint().health() == Health.DRAINING;
  }

  @Override
  public boolean isEjected() {
    HostView view = view();
    return view != null && view.ejected();
  }

  @Override
  public boolean isFailingHealthChecks() {
    HostView view = view();
    return view != null && view.failingHealthChecks();
  }

  @Override
  public int getWeight() {
    HostView view = view();
    return view == null ? 0 : view.endpoint().weight();
  }

  @Override
  public String getLocality() {
    HostView view = view();
    return view == null ? "" : view.endpoint().locality();
  }

  @Override
  public int getPriority() {
    HostView view = view();
    return view == null ? 0 : view.endpoint().priority();
  }

  @Override
  public int getRequestsInFlight() {
    return balancer.stats().inFlight(address);
  }

  @Override
  public long getRequests() {
    return stats().requests();
  }

  @Override
  public long getDrainingRequests() {
    return stats().drainingRequests();
  }

  @Override
  public long getConnectFailures() {
    return stats().connectFailures();
  }

  @Override
  public long getServerErrors() {
    return stats().serverErrors();
  }

  @Override
  public long getResets() {
    return stats().resets();
  }

  @Override
  public long getTimeouts() {
    return stats().timeouts();
  }

  @Override
  public long getFailures() {
    return stats().failures();
  }

  @Override
  public int getOpenTunnels() {
    return stats().openTunnels();
  }

  @Override
  public long getEjections() {
    HostView view = view();
    return view == null ? 0 : view.ejections();
  }

  @Override
  public long getPinnedSessionHits() {
    return stats().pinnedSessionHits();
  }

  @Override
  public long getRePins() {
    return stats().rePins();
  }

  @Override
  public int getTableEntries() {
    Routing routing = balancer.routing();
    Endpoint endpoint = current(routing);
    return endpoint == null ? 0 : routing.tableOf(endpoint).entries(endpoint);
  }

  @Override
  public double getShare() {
    // One routing read for both numbers: a rebuild in between must not mix two tables.
    Routing routing = balancer.routing();
    Endpoint endpoint = current(routing);
    if (endpoint == null) {
      return 0;
    }
    HostTable table = routing.tableOf(endpoint);
    return table.size() == 0 ? 0 : (double) table.entries(endpoint) / table.size();
  }

  /** This address's endpoint in {@code routing}, as its tables hold it; null when it left. */
  private Endpoint current(Routing routing) {
    for (Endpoint endpoint : routing.endpoints()) {
      if (endpoint.address().equals(address)) {
        return endpoint;
      }
    }
    return null;
  }

  @Override
  public void drain() {
    cluster.setDraining(address, true);
  }

  @Override
  public void undrain() {
    cluster.setDraining(address, false);
  }
}
