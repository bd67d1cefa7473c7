package dev.tether.core.jmx;

import dev.tether.core.CoreBalancer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
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
 *
 * <p>The beans read the request path's counters from the {@link CoreBalancer} and the control
 * plane's state through a {@link ClusterView}; whoever owns both (the cluster runtime) registers
 * them and keeps the endpoint beans in step with {@link #syncEndpoints}, under its own lock.
 */
public final class JmxExporter implements AutoCloseable {
  static final String DOMAIN = "dev.tether";
  private static final System.Logger LOG = System.getLogger(JmxExporter.class.getName());

  private final MBeanServer server;
  private final CoreBalancer balancer;
  private final ClusterView cluster;
  private final String name;
  private final ObjectName balancerName;
  private final Map<String, ObjectName> endpointNames = new LinkedHashMap<>();

  private JmxExporter(MBeanServer server, String baseName, CoreBalancer balancer,
      ClusterView cluster, Clock clock, LongSupplier random) {
    this.server = server;
    this.balancer = balancer;
    this.cluster = cluster;
    String chosen = baseName;
    ObjectName registered = null;
    for (int n = 1; registered == null && n < 10_000; n++) {
      chosen = n == 1 ? baseName : baseName + "-" + n;
      try {
        ObjectName candidate = new ObjectName(DOMAIN + ":type=Balancer,name=" + chosen);
        server.registerMBean(new BalancerBean(chosen, balancer, cluster, clock, random), candidate);
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

  /**
   * Registers the balancer bean under {@code baseName}, or the first free suffixed name; endpoint
   * beans follow with {@link #syncEndpoints}. {@code clock} and {@code random} are the balancer's,
   * for the bean's {@link TetherBalancerMXBean#pick} answers.
   */
  public static JmxExporter register(MBeanServer server, String baseName, CoreBalancer balancer,
      ClusterView cluster, Clock clock, LongSupplier random) {
    return new JmxExporter(server, baseName, balancer, cluster, clock, random);
  }

  /** The name the balancer bean got. */
  public String name() {
    return name;
  }

  /** Registers beans of new endpoint addresses and unregisters those that left. */
  public void syncEndpoints(Collection<String> addresses) {
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
          server.registerMBean(new EndpointBean(address, balancer, cluster), objectName);
          endpointNames.put(address, objectName);
        } catch (JMException e) {
          LOG.log(Level.WARNING, "cannot register the JMX bean of endpoint " + address, e);
        }
      }
    }
  }

  /** The object name of {@code address}'s bean under balancer {@code balancer}. */
  public static ObjectName endpointName(String balancer, String address) throws JMException {
    return new ObjectName(DOMAIN + ":type=Endpoint,balancer=" + balancer + ",address="
        + ObjectName.quote(address));
  }

  /** Unregisters every bean. */
  @Override
  public void close() {
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
}
