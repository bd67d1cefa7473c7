package dev.tether.core;

import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.TetherConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a request needs to choose an endpoint, built off the request path and never changed
 * afterwards: the endpoints by address (for sessions), the per-priority loads and panic flags, and
 * one hash table per priority. A new endpoint set or health change builds a new snapshot.
 */
final class ClusterSnapshot implements Routing {
  private final List<Endpoint> endpoints;
  private final Map<String, Endpoint> byAddress;
  private final PriorityLoad load;
  private final HostTable[] tables;

  private ClusterSnapshot(
      List<Endpoint> endpoints, Map<String, Endpoint> byAddress, PriorityLoad load,
      HostTable[] tables) {
    this.endpoints = endpoints;
    this.byAddress = byAddress;
    this.load = load;
    this.tables = tables;
  }

  static ClusterSnapshot build(TetherConfig config, List<Endpoint> endpoints, InFlight inFlight) {
    List<Endpoint> all = List.copyOf(endpoints);
    Map<String, Endpoint> byAddress = new HashMap<>();
    int levels = 1;
    for (Endpoint e : all) {
      byAddress.putIfAbsent(e.address(), e);
      levels = Math.max(levels, e.priority() + 1);
    }
    List<List<Endpoint>> perPriority = new ArrayList<>(levels);
    for (int p = 0; p < levels; p++) {
      perPriority.add(new ArrayList<>());
    }
    for (Endpoint e : all) {
      perPriority.get(e.priority()).add(e);
    }
    int[] total = new int[levels];
    int[] healthy = new int[levels];
    int[] degraded = new int[levels];
    for (int p = 0; p < levels; p++) {
      for (Endpoint e : perPriority.get(p)) {
        total[p]++;
        if (e.health().isHealthy()) {
          healthy[p]++;
        } else if (e.health() == Health.DEGRADED) {
          degraded[p]++;
        }
      }
    }
    PriorityLoad load = PriorityLoad.compute(total, healthy, degraded, config.panicThreshold());
    HostTable[] tables = new HostTable[levels];
    for (int p = 0; p < levels; p++) {
      WeightedHosts weighted = normalize(config, perPriority.get(p), load.panic[p]);
      tables[p] = buildTable(config, weighted, inFlight);
    }
    return new ClusterSnapshot(all, Map.copyOf(byAddress), load, tables);
  }

  private static HostTable buildTable(TetherConfig config, WeightedHosts weighted, InFlight inFlight) {
    HostTable table = config.loadBalancer() == LoadBalancerType.MAGLEV
        ? MaglevTable.build(weighted, (int) config.tableSize())
        : RingHashTable.build(weighted, config.minimumRingSize(), config.maximumRingSize(),
            config.hashFunction());
    if (config.hashBalanceFactor() > 0 && !weighted.isEmpty()) {
      table = new BoundedLoadTable(table, weighted, config.hashBalanceFactor(), inFlight);
    }
    return table;
  }

  /**
   * Envoy's {@code normalizeWeights}: without locality weights, each host's weight over the sum
   * (healthy hosts, or all in panic); with them, each locality's share of the sum of locality
   * weights, split among its hosts by weight. Localities of weight 0 are skipped.
   */
  static WeightedHosts normalize(TetherConfig config, List<Endpoint> hosts, boolean panic) {
    List<Endpoint> eligible = new ArrayList<>(hosts.size());
    for (Endpoint e : hosts) {
      if (panic || e.health().isHealthy()) {
        eligible.add(e);
      }
    }
    List<Endpoint> outHosts = new ArrayList<>();
    List<Double> outWeights = new ArrayList<>();
    Map<String, Integer> localityWeights = config.localityWeights();
    if (localityWeights.isEmpty()) {
      addHosts(eligible, 1.0, outHosts, outWeights);
    } else {
      // Localities in the order they first appear among all hosts of this priority.
      Map<String, List<Endpoint>> byLocality = new LinkedHashMap<>();
      for (Endpoint e : hosts) {
        byLocality.computeIfAbsent(e.locality(), l -> new ArrayList<>());
      }
      for (Endpoint e : eligible) {
        byLocality.get(e.locality()).add(e);
      }
      long sum = 0;
      for (String locality : byLocality.keySet()) {
        sum += localityWeights.getOrDefault(locality, 0);
      }
      if (sum > 0) {
        for (Map.Entry<String, List<Endpoint>> entry : byLocality.entrySet()) {
          int weight = localityWeights.getOrDefault(entry.getKey(), 0);
          if (weight != 0) {
            addHosts(entry.getValue(), (double) weight / sum, outHosts, outWeights);
          }
        }
      }
    }
    int n = outHosts.size();
    Endpoint[] hostArray = outHosts.toArray(new Endpoint[0]);
    String[] keys = new String[n];
    double[] weights = new double[n];
    double min = 1.0;
    double max = 0.0;
    for (int i = 0; i < n; i++) {
      keys[i] = hashKey(hostArray[i], config.useHostnameForHashing());
      weights[i] = outWeights.get(i);
      min = Math.min(min, weights[i]);
      max = Math.max(max, weights[i]);
    }
    return new WeightedHosts(hostArray, keys, weights, min, max);
  }

  private static void addHosts(
      List<Endpoint> hosts, double localityWeight, List<Endpoint> outHosts, List<Double> outWeights) {
    long sum = 0;
    for (Endpoint e : hosts) {
      sum += e.weight();
    }
    for (Endpoint e : hosts) {
      outHosts.add(e);
      outWeights.add(e.weight() * localityWeight / sum);
    }
  }

  /** Envoy's {@code hashKey}: explicit hash key, else host name when asked, else the address. */
  static String hashKey(Endpoint endpoint, boolean useHostname) {
    if (!endpoint.hashKey().isEmpty()) {
      return endpoint.hashKey();
    }
    return useHostname ? endpoint.host() : endpoint.address();
  }

  /**
   * The endpoint for a hash on a host-selection attempt, or null when none can serve.
   *
   * <p>With a single priority, {@link PriorityLoad#choose} returns 0 on every path (the only
   * level, or its fallback), so the shortcut skips its {@code hash mod 100} and load loops
   * without changing any answer; with more priorities Envoy's arithmetic runs as before.
   */
  @Override
  public Endpoint choose(long hash, int attempt) {
    if (tables.length == 1) {
      return tables[0].pick(hash, attempt);
    }
    HostTable table = tables[load.choose(hash)];
    return table.pick(hash, attempt);
  }

  Endpoint byAddress(String address) {
    return byAddress.get(address);
  }

  @Override
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** The table of the priority {@code endpoint} belongs to. */
  @Override
  public HostTable tableOf(Endpoint endpoint) {
    return tables[endpoint.priority()];
  }

  boolean inPanic(int priority) {
    return load.panic[priority];
  }
}
