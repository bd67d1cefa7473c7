package dev.tether.core.jmx;

import dev.tether.api.Endpoint;
import java.util.List;

/**
 * What JMX shows of the control plane that keeps a balancer's endpoints current, and the drain
 * an operator starts from it. The cluster runtime implements it; this package depends on that
 * runtime only through this interface, so the runtime can register its beans without the beans
 * knowing the runtime.
 */
public interface ClusterView {

  /** The endpoint source: {@code static endpoints}, {@code dns:NAME:PORT} or {@code file:PATH}. */
  String sourceName();

  /** The endpoints as last published to the request path, with the health it uses. */
  List<Endpoint> endpoints();

  /** Endpoints outlier detection has ejected now. */
  int ejectedCount();

  /** Why the source last failed to be read; empty when its last read worked. */
  String discoveryError();

  /** A consistent copy of one endpoint's state; null when no current endpoint has the address. */
  HostView host(String address);

  /**
   * Sets or clears an operator's drain of {@code address} (any spelling of the IP the
   * {@code endpoints} key accepts).
   *
   * @return false when no current endpoint has that address
   */
  boolean setDraining(String address, boolean draining);
}
