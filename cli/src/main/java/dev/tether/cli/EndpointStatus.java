package dev.tether.cli;

import java.util.Locale;

/**
 * One endpoint of a running front end as {@code tether status} prints it, read from its
 * {@code dev.tether:type=Endpoint} bean.
 *
 * @param address {@code ip:port}, as session values carry it
 * @param health the health the balancer uses: the source's, a failed check, an ejection or a drain
 * @param ejected whether outlier detection has ejected it
 * @param draining whether it is DRAINING (it keeps its sessions, takes no new ones)
 * @param inFlight requests in flight now
 * @param requests attempts sent to it since it joined the endpoint set
 * @param pinned requests whose session named it and that it served
 * @param entries ring entries or Maglev slots it holds in its priority's table
 * @param share {@code entries} over the table's size
 */
record EndpointStatus(String address, String health, boolean ejected, boolean draining,
    int inFlight, long requests, long pinned, int entries, double share) {

  /**
   * {@code address health=H ejected=B draining=B inFlight=N requests=N pinned=N entries=N
   * share=F}: the address first, as {@code tether table} prints it, then one {@code key=value}
   * per field, so that both people and {@code awk} read it.
   */
  String line() {
    return address + " health=" + health + " ejected=" + ejected + " draining=" + draining
        + " inFlight=" + inFlight + " requests=" + requests + " pinned=" + pinned
        + " entries=" + entries + " share=" + String.format(Locale.ROOT, "%.6f", share);
  }
}
