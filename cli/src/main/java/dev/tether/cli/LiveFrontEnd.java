package dev.tether.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.tether.core.jmx.TetherBalancerMXBean;
import dev.tether.core.jmx.TetherEndpointMXBean;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import javax.management.JMException;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Tether's beans in a running Jetty or Tomcat JVM on this host, reached through the JDK's attach
 * API: the target starts its local management agent (as {@code jcmd PID
 * ManagementAgent.start_local} does) and hands back the connector address, so no JMX port needs
 * opening. The attach API connects only to JVMs of the same user that allow it (no
 * {@code -XX:+DisableAttachMechanism}); each way it fails is a {@link Unreachable} that says so.
 */
final class LiveFrontEnd implements AutoCloseable {
  static final String DOMAIN = "dev.tether";

  /** A PID that is no Tether front end this process can reach; the message says why. */
  static final class Unreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message);
    }
  }

  private final long pid;
  private final JMXConnector connector;
  private final MBeanServerConnection server;

  private LiveFrontEnd(long pid, JMXConnector connector, MBeanServerConnection server) {
    this.pid = pid;
    this.connector = connector;
    this.server = server;
  }

  /**
   * Attaches to {@code pid} and connects to its platform MBean server.
   *
   * @throws Unreachable when no process has the PID, it is not a JVM, it refuses the attach, or
   *     its management agent does not start
   */
  static LiveFrontEnd attach(long pid) {
    ProcessHandle process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .orElseThrow(() -> new Unreachable("PID " + pid + ": no such process"));
    Optional<String> owner = process.info().user();
    Optional<String> self = ProcessHandle.current().info().user();
    if (owner.isPresent() && self.isPresent() && !owner.get().equals(self.get())
        && !self.get().equals("root")) {
      throw new Unreachable("PID " + pid + " cannot be attached to: it runs as " + owner.get()
          + " and tether as " + self.get() + ", and the attach API reaches only JVMs of the same"
          + " user (run tether as " + owner.get() + ")");
    }
    // Attaching signals the target (SIGQUIT on Linux), which ends a process that is no JVM: only
    // a JVM that publishes itself (hsperfdata) or runs a java launcher is attached to.
    String command = process.info().command().orElse("");
    if (!listed(pid) && !command.endsWith("/java") && !command.endsWith("\\java.exe")) {
      throw new Unreachable("PID " + pid + " is not a Java VM that tether can attach to ("
          + (command.isEmpty() ? "its command is not visible to this user" : command) + ")");
    }
    String address;
    try {
      VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
      try {
        address = vm.startLocalManagementAgent();
      } finally {
        vm.detach();
      }
    } catch (AttachNotSupportedException | IOException e) {
      throw new Unreachable("PID " + pid + " cannot be attached to: " + e.getMessage()
          + " (" + hint(process) + ")");
    }
    try {
      JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
      return new LiveFrontEnd(pid, connector, connector.getMBeanServerConnection());
    } catch (IOException e) {
      throw new Unreachable("PID " + pid + ": its local JMX agent (" + address
          + ") does not answer: " + e.getMessage());
    }
  }

  private static boolean listed(long pid) {
    String id = Long.toString(pid);
    for (VirtualMachineDescriptor vm : VirtualMachine.list()) {
      if (vm.id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  /** Why an attach most likely failed, from what this process can see of the target. */
  private static String hint(ProcessHandle process) {
    Optional<String> owner = process.info().user();
    Optional<String> self = ProcessHandle.current().info().user();
    if (owner.isPresent() && self.isPresent() && !owner.get().equals(self.get())) {
      return "it runs as " + owner.get() + " and tether as " + self.get()
          + ": run tether as " + owner.get();
    }
    return "the JVM must allow attaching: not started with -XX:+DisableAttachMechanism";
  }

  /**
   * The names of the balancers in the JVM, sorted.
   *
   * @throws Unreachable when the JVM has no Tether bean
   */
  List<String> balancers() {
    TreeSet<String> names = new TreeSet<>();
    for (ObjectName name : query(DOMAIN + ":type=Balancer,*")) {
      names.add(name.getKeyProperty("name"));
    }
    if (names.isEmpty()) {
      throw new Unreachable("PID " + pid + " is not a Tether front end: no " + DOMAIN + " MBeans");
    }
    return List.copyOf(names);
  }

  /** The balancer {@code name} and its endpoints as their beans read now. */
  BalancerStatus status(String name) {
    TetherBalancerMXBean balancer = balancer(name);
    List<EndpointStatus> endpoints = new ArrayList<>();
    int healthy;
    int ejected;
    int draining;
    String source;
    try {
      source = balancer.getEndpointSource();
      healthy = balancer.getHealthyEndpointCount();
      ejected = balancer.getEjectedEndpointCount();
      draining = balancer.getDrainingEndpointCount();
      for (String address : balancer.getEndpointAddresses()) {
        EndpointStatus endpoint = endpoint(name, address);
        if (endpoint != null) {
          endpoints.add(endpoint);
        }
      }
    } catch (UndeclaredThrowableException e) {
      throw failure("balancer " + name, e);
    }
    return new BalancerStatus(name, source, healthy, ejected, draining, endpoints);
  }

  /** {@link TetherBalancerMXBean#pick} of balancer {@code name} for {@code request}. */
  List<String> pick(String name, CliRequest request) {
    List<String> headers = new ArrayList<>();
    for (int i = 0; i < request.fields().size(); i++) {
      headers.add(request.fields().name(i) + ": " + request.fields().value(i));
    }
    try {
      return List.of(balancer(name).pick(request.method(), request.pathAndQuery(),
          headers.toArray(new String[0]), request.remoteAddress(), request.remotePort(),
          request.localAddress(), request.localPort()));
    } catch (UndeclaredThrowableException e) {
      throw failure("balancer " + name + " pick", e);
    } catch (Unreachable e) {
      throw e;
    } catch (RuntimeException e) {
      // What the operation itself threw (a key ring it cannot read), as JMX hands it back.
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new Unreachable("PID " + pid + ", balancer " + name + " pick: " + cause.getMessage());
    }
  }

  /** Drains (or undrains) {@code address}; false when no endpoint of balancer {@code name} has it. */
  boolean setDraining(String name, String address, boolean draining) {
    TetherBalancerMXBean balancer = balancer(name);
    try {
      return draining ? balancer.drain(address) : balancer.undrain(address);
    } catch (UndeclaredThrowableException e) {
      throw failure("balancer " + name + (draining ? " drain" : " undrain"), e);
    }
  }

  private TetherBalancerMXBean balancer(String name) {
    try {
      return JMX.newMXBeanProxy(server,
          new ObjectName(DOMAIN + ":type=Balancer,name=" + name), TetherBalancerMXBean.class);
    } catch (JMException e) {
      throw new Unreachable("balancer " + name + ": " + e.getMessage());
    }
  }

  /** One endpoint's bean; null when the endpoint left between listing and reading it. */
  private EndpointStatus endpoint(String balancer, String address) {
    try {
      TetherEndpointMXBean bean = JMX.newMXBeanProxy(server,
          new ObjectName(DOMAIN + ":type=Endpoint,balancer=" + balancer + ",address="
              + ObjectName.quote(address)), TetherEndpointMXBean.class);
      return new EndpointStatus(address, bean.getHealth(), bean.isEjected(), bean.isDraining(),
          bean.getRequestsInFlight(), bean.getRequests(), bean.getPinnedSessionHits(),
          bean.getTableEntries(), bean.getShare());
    } catch (JMException e) {
      throw new Unreachable("endpoint " + address + ": " + e.getMessage());
    } catch (UndeclaredThrowableException e) {
      if (e.getCause() instanceof javax.management.InstanceNotFoundException) {
        return null;
      }
      throw failure("endpoint " + address, e);
    }
  }

  private List<ObjectName> query(String pattern) {
    try {
      return new ArrayList<>(server.queryNames(new ObjectName(pattern), null));
    } catch (IOException | JMException e) {
      throw new Unreachable("PID " + pid + ": " + e.getMessage());
    }
  }

  /**
   * A bean that cannot be read: a JVM gone meanwhile, or a Tether older than this command line
   * whose beans lack an attribute it reads.
   */
  private Unreachable failure(String what, UndeclaredThrowableException e) {
    Throwable cause = e.getCause() == null ? e : e.getCause();
    if (cause instanceof javax.management.AttributeNotFoundException
        || cause instanceof javax.management.ReflectionException) {
      return new Unreachable("PID " + pid + ", " + what + ": " + cause.getMessage()
          + " (expected: a front end running this version of Tether)");
    }
    return new Unreachable("PID " + pid + ", " + what + ": " + cause);
  }

  @Override
  public void close() {
    try {
      connector.close();
    } catch (IOException e) {
      // The JVM went away: nothing left to close.
    }
  }
}
