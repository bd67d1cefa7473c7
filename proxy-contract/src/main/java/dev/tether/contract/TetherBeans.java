package dev.tether.contract;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * A balancer's JMX beans on the platform MBean server, read by name as an operator would:
 * {@code dev.tether:type=Balancer,name=<name>} and one
 * {@code dev.tether:type=Endpoint,balancer=<name>,address="<ip:port>"} per endpoint (the address
 * quoted with {@link ObjectName#quote}, since it has a colon). Reading them over JMX rather than
 * through Tether's classes keeps the contract a black box.
 */
final class TetherBeans {
  private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

  private final String balancer;

  TetherBeans(String balancer) {
    this.balancer = balancer;
  }

  ObjectName balancerName() {
    return name("dev.tether:type=Balancer,name=" + balancer);
  }

  ObjectName endpointName(String address) {
    return name("dev.tether:type=Endpoint,balancer=" + balancer + ",address="
        + ObjectName.quote(address));
  }

  boolean registered() {
    return JMX.isRegistered(balancerName());
  }

  /** The balancer's {@code OpenTunnels}. */
  int openTunnels() {
    return intAttribute(balancerName(), "OpenTunnels");
  }

  /** An endpoint's {@code OpenTunnels}. */
  int openTunnels(String address) {
    return intAttribute(endpointName(address), "OpenTunnels");
  }

  /** An endpoint's {@code RequestsInFlight}. */
  int requestsInFlight(String address) {
    return intAttribute(endpointName(address), "RequestsInFlight");
  }

  /** A counter of the balancer, such as {@code PendingOverflows}. */
  long balancerCounter(String attribute) {
    return ((Number) attribute(balancerName(), attribute)).longValue();
  }

  /** A counter of an endpoint, such as {@code Timeouts}. */
  long endpointCounter(String address, String attribute) {
    return ((Number) attribute(endpointName(address), attribute)).longValue();
  }

  /** An endpoint's {@code Ejected}. */
  boolean ejected(String address) {
    return (Boolean) attribute(endpointName(address), "Ejected");
  }

  /** The addresses of the endpoint beans registered for this balancer, sorted. */
  List<String> endpoints() {
    Set<ObjectName> names = JMX.queryNames(
        name("dev.tether:type=Endpoint,balancer=" + balancer + ",*"), null);
    Set<String> addresses = new TreeSet<>();
    for (ObjectName name : names) {
      addresses.add(ObjectName.unquote(name.getKeyProperty("address")));
    }
    return new ArrayList<>(addresses);
  }

  private static int intAttribute(ObjectName name, String attribute) {
    return ((Number) attribute(name, attribute)).intValue();
  }

  private static Object attribute(ObjectName name, String attribute) {
    try {
      return JMX.getAttribute(name, attribute);
    } catch (JMException e) {
      throw new AssertionError("cannot read " + attribute + " of " + name, e);
    }
  }

  private static ObjectName name(String text) {
    try {
      return new ObjectName(text);
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
