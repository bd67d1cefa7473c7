package dev.tether.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A JMX connection to a container's server JVM, opened on the port its
 * {@link #options(int) options} gave the JDK's own agent (no authentication, no TLS, bound to
 * 127.0.0.1): the JVM's thread count and heap, and Tether's endpoint beans with their drain
 * operation, as an operator's console reaches them.
 */
public final class Jmx implements AutoCloseable {

  private final JMXConnector connector;
  private final MBeanServerConnection server;

  private Jmx(JMXConnector connector) throws IOException {
    this.connector = connector;
    this.server = connector.getMBeanServerConnection();
  }

  /** JVM options that open the JDK's JMX agent on 127.0.0.1:{@code port} (none with spaces). */
  public static List<String> options(int port) {
    return List.of(
        "-Dcom.sun.management.jmxremote.port=" + port,
        "-Dcom.sun.management.jmxremote.rmi.port=" + port,
        "-Dcom.sun.management.jmxremote.host=127.0.0.1",
        "-Djava.rmi.server.hostname=127.0.0.1",
        "-Dcom.sun.management.jmxremote.authenticate=false",
        "-Dcom.sun.management.jmxremote.ssl=false");
  }

  /** Connects to the agent on {@code port}, retrying until it is up. */
  public static Jmx connect(int port, Duration timeout) {
    JMXServiceURL url;
    try {
      url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Poll.until("JMX on 127.0.0.1:" + port, timeout,
        () -> Optional.of(new Jmx(JMXConnectorFactory.connect(url, Map.of()))));
  }

  /** Live threads of the JVM. */
  public int threadCount() {
    return proxy(ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class).getThreadCount();
  }

  /**
   * Threads serving a request right now: those with a frame of Tether's code or of the
   * container's HTTP/1.1 request processing (Jetty's {@code HttpConnection}, Tomcat's
   * {@code Http11Processor}) on their stack, Tether's own named background threads
   * ({@code tether-*}) left out. A pool's idle threads have none: this is what a slow peer could
   * hold, whatever size the pool has grown to.
   */
  public List<String> threadsServingRequests() {
    ThreadMXBean threads = proxy(ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
    List<String> serving = new java.util.ArrayList<>();
    for (java.lang.management.ThreadInfo info : threads.dumpAllThreads(false, false)) {
      if (info == null || info.getThreadName().startsWith("tether-")) {
        continue;
      }
      for (StackTraceElement frame : info.getStackTrace()) {
        String type = frame.getClassName();
        if (type.startsWith("dev.tether.")
            || type.equals("org.eclipse.jetty.server.internal.HttpConnection")
            || type.equals("org.apache.coyote.http11.Http11Processor")) {
          serving.add(info.getThreadName() + " at " + frame);
          break;
        }
      }
    }
    return serving;
  }

  /**
   * Every thread as {@code name state top-frame}, grouped and counted by name with its digits
   * removed: what a failed thread count shows.
   */
  public String threadSummary() {
    ThreadMXBean threads = proxy(ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
    java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo info : threads.dumpAllThreads(false, false)) {
      if (info == null) {
        continue;
      }
      StackTraceElement[] stack = info.getStackTrace();
      String top = stack.length == 0 ? "-" : stack[0].getClassName() + "." + stack[0].getMethodName();
      counts.merge(info.getThreadName().replaceAll("[0-9]+", "N") + " " + info.getThreadState()
          + " " + top, 1, Integer::sum);
    }
    return counts.toString();
  }

  /** Heap in use right after a full collection, in bytes. */
  public long heapAfterGc() {
    MemoryMXBean memory = proxy(ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Invokes {@code operation} (no arguments) on Tether's bean for {@code address}. */
  public void endpointOperation(String balancer, String address, String operation) {
    try {
      server.invoke(endpoint(balancer, address), operation, new Object[0], new String[0]);
    } catch (JMException e) {
      throw new IllegalStateException(operation + " on " + address, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An attribute of Tether's bean for {@code address}. */
  public Object endpointAttribute(String balancer, String address, String attribute) {
    try {
      return server.getAttribute(endpoint(balancer, address), attribute);
    } catch (JMException e) {
      throw new IllegalStateException(attribute + " of " + address, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectName endpoint(String balancer, String address) throws JMException {
    return new ObjectName("dev.tether:type=Endpoint,balancer=" + balancer + ",address="
        + ObjectName.quote(address));
  }

  private <T> T proxy(String name, Class<T> type) {
    try {
      return ManagementFactory.newPlatformMXBeanProxy(server, name, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      connector.close();
    } catch (IOException e) {
      // The JVM may be gone already.
    }
  }
}
