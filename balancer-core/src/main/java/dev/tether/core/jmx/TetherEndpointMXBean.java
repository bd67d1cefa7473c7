package dev.tether.core.jmx;

/**
 * One endpoint in JMX, as
 * {@code dev.tether:type=Endpoint,balancer=<name>,address="<ip:port>"}. To retire a draining
 * endpoint, wait until {@link #getRequestsInFlight()} is 0 and {@link #getDrainingRequests()}
 * stops growing: then no session reaches it any more.
 */
public interface TetherEndpointMXBean {

  String getAddress();

  /** The health the balancer uses now: the source's, a failed check, an ejection or a drain. */
  String getHealth();

  boolean isDraining();

  boolean isEjected();

  /** Whether active health checks currently fail it (or it has not passed one yet). */
  boolean isFailingHealthChecks();

  int getWeight();

  String getLocality();

  int getPriority();

  int getRequestsInFlight();

  long getRequests();

  /** Requests started while the endpoint was DRAINING. */
  long getDrainingRequests();

  long getConnectFailures();

  /** 5xx answers. */
  long getServerErrors();

  /** Connections that closed or broke before or during a response (protocol errors included). */
  long getResets();

  /** Attempts with no response head in time, and responses or tunnels idle for too long. */
  long getTimeouts();

  /** Connect failures, 5xx answers, resets and timeouts. */
  long getFailures();

  /** WebSocket (and other upgrade) tunnels open now; each also counts as a request in flight. */
  int getOpenTunnels();

  /** Times outlier detection ejected it. */
  long getEjections();

  long getPinnedSessionHits();

  /** Sessions that named another endpoint and were moved here. */
  long getRePins();

  /**
   * Ring entries or Maglev slots it holds in the table of its priority: 0 while it takes no new
   * requests (unhealthy, ejected, draining), unless its priority is in panic.
   */
  int getTableEntries();

  /**
   * Its share of the table of its priority ({@link #getTableEntries()} over the table's size), 0
   * to 1: the fraction of new hashes it would take there, what {@code tether table} prints
   * offline.
   */
  double getShare();

  /** Marks it DRAINING; see {@link TetherBalancerMXBean#drain}. */
  void drain();

  void undrain();
}
