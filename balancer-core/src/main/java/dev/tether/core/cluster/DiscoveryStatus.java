package dev.tether.core.cluster;

import java.lang.System.Logger.Level;

/**
 * Whether the endpoint source could last be read, for the log and for JMX: a failure is logged
 * once per distinct problem (a source that stays broken does not fill the log), and the return
 * to a readable source once.
 */
final class DiscoveryStatus {
  private static final System.Logger LOG = System.getLogger(ClusterRuntime.class.getName());

  private final String sourceName;
  /** Why the source last failed; empty when its last read worked. */
  private volatile String error = "";

  DiscoveryStatus(String sourceName) {
    this.sourceName = sourceName;
  }

  String error() {
    return error;
  }

  void failed(String message) {
    if (!message.equals(error)) {
      LOG.log(Level.WARNING, sourceName + ": " + message);
    }
    error = message;
  }

  /**
   * Call only after the new set is published, so that whoever reads the error first and sees it
   * clear also sees the endpoints that cleared it.
   */
  void succeeded() {
    if (!error.isEmpty()) {
      LOG.log(Level.INFO, sourceName + ": endpoints readable again");
      error = "";
    }
  }
}
