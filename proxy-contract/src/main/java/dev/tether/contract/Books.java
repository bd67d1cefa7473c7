package dev.tether.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The check run after every scenario: once the clients are done, everything a front end opened
 * for them must be given back. It polls (the last bytes of an answer reach the client a moment
 * before a front end has finished its accounting) until all of these hold, and fails listing
 * what did not after {@link #DEADLINE}:
 *
 * <ul>
 *   <li><b>JMX: 0 requests in flight and 0 open tunnels on every endpoint, and on the
 *       balancer.</b> An attempt the exchange was never told the end of stays "in flight"
 *       forever: a draining endpoint then never drains, and outlier detection and bounded-load
 *       routing work on wrong counts. The beans are read by name
 *       ({@code dev.tether:type=Balancer,name=<name>}, {@code dev.tether:type=Endpoint,
 *       balancer=<name>,address="<ip:port>"}), so they must exist: a front end must build its
 *       balancer with the {@code name} key it was given.
 *   <li><b>Every backend of the scenario has 0 busy connections</b>
 *       ({@link Backend#busyConnections()}: a request, answer or tunnel still open). A hanging
 *       backend's connection left open after a timeout, or a tunnel whose backend half outlived
 *       its client, is a file descriptor and a backend worker lost per failure. Connections idle
 *       between requests (a front end's pool) are not busy and are allowed.
 *   <li><b>No thread outside the test is inside Tether code</b>: no stack of any live thread
 *       has a frame of a class in {@code dev.tether.} (the contract's own package excepted).
 *       Once every client is answered, a thread still in Tether code is a request thread stuck
 *       on a backend, or a blocking tunnel that would hold one thread per open socket. Ignored:
 *       the calling thread; threads named {@code tether-*}, Tether's own background and I/O
 *       threads, idle by design; threads parked in a container's own idle-pool or selector
 *       wait ({@link #IDLE_WAITS}), which are waiting for work, not doing Tether's.
 * </ul>
 */
final class Books {
  /** How long the books may take to balance after the clients are done. */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  /**
   * The methods in which a container's own threads wait for work (class name and method, the
   * topmost frame outside the JDK): Jetty's thread pool, reserved threads, selectors and
   * acceptors; Tomcat's executor, poller and acceptor.
   */
  static final Set<String> IDLE_WAITS = Set.of(
      "org.eclipse.jetty.util.thread.QueuedThreadPool$Runner.idleJobPoll",
      "org.eclipse.jetty.util.thread.ReservedThreadExecutor$ReservedThread.waitForTask",
      "org.eclipse.jetty.util.thread.ReservedThreadExecutor$ReservedThread.reservedWait",
      "org.eclipse.jetty.io.ManagedSelector.nioSelect",
      "org.eclipse.jetty.io.ManagedSelector.select",
      "org.eclipse.jetty.server.ServerConnector.accept",
      "org.apache.tomcat.util.threads.ThreadPoolExecutor.getTask",
      "org.apache.tomcat.util.threads.TaskQueue.take",
      "org.apache.tomcat.util.threads.TaskQueue.poll",
      "org.apache.tomcat.util.net.NioEndpoint$Poller.run",
      "org.apache.tomcat.util.net.NioEndpoint.serverSocketAccept",
      "org.apache.tomcat.util.net.Acceptor.run");

  private Books() {}

  /** A balancer to check and the endpoint addresses it was configured with. */
  record Balancer(TetherBeans beans, List<String> endpoints) {}

  /** Polls until the books balance; fails listing what is still open after {@link #DEADLINE}. */
  static void balance(Collection<Balancer> balancers, Collection<? extends Backend> backends) {
    balance(balancers, backends, DEADLINE);
  }

  /** As above, with another deadline (the helpers' own tests). */
  static void balance(Collection<Balancer> balancers, Collection<? extends Backend> backends,
      Duration deadline) {
    List<String> problems = new ArrayList<>();
    boolean balanced = Await.holdsWithin(deadline, () -> {
      problems.clear();
      problems.addAll(problems(balancers, backends));
      return problems.isEmpty();
    });
    if (!balanced) {
      throw new AssertionError("the books do not balance " + deadline + " after the scenario:\n- "
          + String.join("\n- ", problems));
    }
  }

  /** Polls until no thread is inside Tether code (see the class comment); fails otherwise. */
  static void awaitNoThreadInTether(String when) {
    List<String> stuck = new ArrayList<>();
    boolean none = Await.holdsWithin(DEADLINE, () -> {
      stuck.clear();
      stuck.addAll(threadsInTether());
      return stuck.isEmpty();
    });
    if (!none) {
      throw new AssertionError("threads still inside Tether code " + when + ":\n"
          + String.join("\n", stuck));
    }
  }

  private static List<String> problems(Collection<Balancer> balancers,
      Collection<? extends Backend> backends) {
    List<String> problems = new ArrayList<>();
    for (Balancer balancer : balancers) {
      try {
        balancerProblems(balancer, problems);
      } catch (AssertionError e) {
        problems.add(e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause()));
      }
    }
    for (Backend backend : backends) {
      int busy = backend.busyConnections();
      if (busy != 0) {
        problems.add(backend + " still has " + busy + " busy connection(s)");
      }
    }
    problems.addAll(threadsInTether());
    return problems;
  }

  private static void balancerProblems(Balancer balancer, List<String> problems) {
    TetherBeans beans = balancer.beans();
    if (!beans.registered()) {
      problems.add("no JMX bean " + beans.balancerName() + ": the front end must build its"
          + " balancer with the name key it was given, and keep it until it is closed");
      return;
    }
    int tunnels = beans.openTunnels();
    if (tunnels != 0) {
      problems.add(beans.balancerName() + " OpenTunnels = " + tunnels);
    }
    List<String> registered = beans.endpoints();
    for (String address : balancer.endpoints()) {
      if (!registered.contains(address)) {
        problems.add("no JMX bean " + beans.endpointName(address));
        continue;
      }
      int inFlight = beans.requestsInFlight(address);
      int endpointTunnels = beans.openTunnels(address);
      if (inFlight != 0 || endpointTunnels != 0) {
        problems.add(beans.endpointName(address) + " RequestsInFlight = " + inFlight
            + ", OpenTunnels = " + endpointTunnels);
      }
    }
  }

  /** The live threads inside Tether code, each as its name and top frames. */
  static List<String> threadsInTether() {
    List<String> found = new ArrayList<>();
    Thread self = Thread.currentThread();
    for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
      Thread thread = entry.getKey();
      StackTraceElement[] stack = entry.getValue();
      if (thread == self || !thread.isAlive() || thread.getName().startsWith("tether-")
          || idleInContainer(stack) || !inTether(stack)) {
        continue;
      }
      StringBuilder description = new StringBuilder("thread \"" + thread.getName() + "\" is in"
          + " Tether code:");
      for (int i = 0; i < Math.min(stack.length, 16); i++) {
        description.append("\n    at ").append(stack[i]);
      }
      found.add(description.toString());
    }
    return found;
  }

  private static boolean inTether(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      String type = frame.getClassName();
      if (type.startsWith("dev.tether.") && !type.startsWith("dev.tether.contract.")) {
        return true;
      }
    }
    return false;
  }

  private static boolean idleInContainer(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      String type = frame.getClassName();
      if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")) {
        continue;
      }
      return IDLE_WAITS.contains(type + "." + frame.getMethodName());
    }
    return false;
  }
}
