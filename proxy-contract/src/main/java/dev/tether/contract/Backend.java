package dev.tether.contract;

import java.util.List;

/**
 * A backend the contract puts behind a front end, on 127.0.0.1. Each counts what reached it, so
 * a scenario can say "delivered exactly once", "never connected to" and "that connection was
 * closed", which a client on the other side of the proxy cannot see.
 */
interface Backend extends AutoCloseable {
  /** The header every response of an answering backend names its instance in. */
  String INSTANCE_HEADER = "x-backend-instance";

  /** The instance name, as sent in {@link #INSTANCE_HEADER}. */
  String name();

  /** The port on 127.0.0.1. */
  int port();

  /** {@code 127.0.0.1:port}: the endpoint address, as Tether and Envoy print it. */
  default String address() {
    return "127.0.0.1:" + port();
  }

  /** Every request received so far, in order. */
  List<ReceivedRequest> requests();

  /** Connections accepted so far. */
  int connectionsAccepted();

  /**
   * Connections in the middle of something: a request read but not fully answered, a stalled
   * or hanging answer, an open tunnel. A connection idle between requests (a proxy's pool) is
   * not busy. After a scenario every backend must be back to 0: anything else is a connection
   * the front end left open behind a client that is gone.
   */
  int busyConnections();

  /** Stops listening and closes every connection. */
  @Override
  void close();
}
