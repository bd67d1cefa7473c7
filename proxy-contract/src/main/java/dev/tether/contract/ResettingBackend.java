package dev.tether.contract;

import java.io.IOException;

/**
 * A backend that reads a request's head and whole body, then resets the connection (SO_LINGER 0:
 * the close sends a TCP RST) before writing a byte: Envoy's "reset before headers", reset
 * reason "connection termination". Reading the body first makes the failure land where the
 * contract wants it, after the whole request was delivered, so "delivered exactly once" can be
 * counted.
 */
final class ResettingBackend extends SocketServer {
  private ResettingBackend(String name) {
    super(name);
  }

  static ResettingBackend start(String name) {
    return new ResettingBackend(name);
  }

  @Override
  void serve(Connection connection) throws IOException {
    if (connection.nextRequest() == null) {
      return;
    }
    connection.socket.setSoLinger(true, 0);
    connection.socket.close();
  }
}
