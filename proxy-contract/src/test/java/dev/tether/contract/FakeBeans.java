package dev.tether.contract;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Beans under Tether's names with settable counts, to test the books without a balancer. */
final class FakeBeans implements AutoCloseable {
  /** The balancer bean's view. */
  public interface BalancerView {
    int getOpenTunnels();
  }

  /** An endpoint bean's view. */
  public interface EndpointView {
    int getRequestsInFlight();

    int getOpenTunnels();
  }

  final AtomicInteger balancerTunnels = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger endpointTunnels = new AtomicInteger();
  private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
  private final TetherBeans names;
  private final String address;

  FakeBeans(String balancer, String address) throws JMException {
    this.names = new TetherBeans(balancer);
    this.address = address;
    BalancerView balancerView = balancerTunnels::get;
    jmx.registerMBean(new javax.management.StandardMBean(balancerView, BalancerView.class, true),
        names.balancerName());
    EndpointView endpointView = new EndpointView() {
      @Override
      public int getRequestsInFlight() {
        return inFlight.get();
      }

      @Override
      public int getOpenTunnels() {
        return endpointTunnels.get();
      }
    };
    jmx.registerMBean(new javax.management.StandardMBean(endpointView, EndpointView.class, true),
        names.endpointName(address));
  }

  TetherBeans names() {
    return names;
  }

  @Override
  public void close() throws JMException {
    for (ObjectName name : new ObjectName[] {names.balancerName(), names.endpointName(address)}) {
      if (jmx.isRegistered(name)) {
        jmx.unregisterMBean(name);
      }
    }
  }
}
