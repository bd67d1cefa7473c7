package dev.tether.core.jmx;

import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.api.ResponseHeader;
import dev.tether.core.BalancerStats;
import dev.tether.core.ConfigException;
import dev.tether.core.CoreBalancer;
import dev.tether.core.SealingState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/** {@link TetherBalancerMXBean} over a balancer's counters and its cluster's state. */
final class BalancerBean implements TetherBalancerMXBean {
  private final String name;
  private final CoreBalancer balancer;
  private final ClusterView cluster;
  private final Clock clock;
  private final LongSupplier random;

  /**
   * @param clock and {@code random}: the balancer's own, for the throw-away balancer of
   *     {@link #pick}
   */
  BalancerBean(String name, CoreBalancer balancer, ClusterView cluster, Clock clock,
      LongSupplier random) {
    this.name = name;
    this.balancer = balancer;
    this.cluster = cluster;
    this.clock = clock;
    this.random = random;
  }

  private BalancerStats stats() {
    return balancer.stats();
  }

  private SealingState sealing() {
    return balancer.sealing();
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getEndpointSource() {
    return cluster.sourceName();
  }

  @Override
  public int getEndpointCount() {
    return cluster.endpoints().size();
  }

  @Override
  public String[] getEndpointAddresses() {
    List<Endpoint> endpoints = cluster.endpoints();
    String[] addresses = new String[endpoints.size()];
    for (int i = 0; i < addresses.length; i++) {
      addresses[i] = endpoints.get(i).address();
    }
    return addresses;
  }

  @Override
  public int getHealthyEndpointCount() {
    int n = 0;
    for (Endpoint e : cluster.endpoints()) {
      n += e.health().isHealthy() ? 1 : 0;
    }
    return n;
  }

  @Override
  public int getEjectedEndpointCount() {
    return cluster.ejectedCount();
  }

  @Override
  public int getDrainingEndpointCount() {
    int n = 0;
    for (Endpoint e : cluster.endpoints()) {
      n += e.health() == Health.DRAINING ? 1 : 0;
    }
    return n;
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
  public long getStrictRejections() {
    return stats().strictRejections();
  }

  @Override
  public long getInvalidSessionValues() {
    return stats().invalidSessionValues();
  }

  @Override
  public long getNoHealthyUpstream() {
    return stats().noHealthyUpstream();
  }

  @Override
  public long getRetries() {
    return stats().retries();
  }

  @Override
  public long getPendingOverflows() {
    return stats().pendingOverflows();
  }

  @Override
  public long getRetryOverflows() {
    return stats().retryOverflows();
  }

  @Override
  public int getOpenTunnels() {
    return stats().openTunnels();
  }

  @Override
  public String getLastDiscoveryError() {
    return cluster.discoveryError();
  }

  @Override
  public String getSessionSeal() {
    return sealing().mode().name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String getActiveSessionKey() {
    return sealing().activeKey();
  }

  @Override
  public String getSessionKeyIds() {
    return String.join(",", sealing().keyIds());
  }

  @Override
  public long getSealedSessionValues() {
    return sealing().sealedValues();
  }

  @Override
  public long getPlainSessionValuesHonoured() {
    return sealing().plainValuesHonoured();
  }

  @Override
  public long getRenewedSessionValues() {
    return sealing().renewedValues();
  }

  @Override
  public String getLastKeyRingError() {
    return sealing().lastKeyRingError();
  }

  @Override
  public boolean drain(String address) {
    return cluster.setDraining(address, true);
  }

  @Override
  public boolean undrain(String address) {
    return cluster.setDraining(address, false);
  }

  @Override
  public String[] pick(String method, String pathAndQuery, String[] headers,
      String remoteAddress, int remotePort, String localAddress, int localPort) {
    PickRequest request = new PickRequest(method, pathAndQuery, headers, remoteAddress, remotePort,
        localAddress, localPort);
    // The live balancer's route() counts what it sees; a copy over the same endpoints does not.
    CoreBalancer copy;
    try {
      copy = CoreBalancer.create(balancer.config(), balancer.endpoints(), clock, random);
    } catch (ConfigException e) {
      // Only a class of the JDK reaches a JMX client for certain.
      throw new IllegalStateException(e.getMessage());
    }
    Decision decision = copy.route(request);
    if (!decision.routed()) {
      return new String[0];
    }
    List<String> lines = new ArrayList<>();
    lines.add(decision.endpoint().address());
    for (ResponseHeader header : copy.responseHeaders(decision, decision.endpoint())) {
      lines.add(header.name() + ": " + header.value());
    }
    return lines.toArray(new String[0]);
  }
}
