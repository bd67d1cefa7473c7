package dev.tether.contract;

import java.io.IOException;

/**
 * A backend that reads a request's head and whole body and never answers: the connection stays
 * busy until the peer closes it, which the backend notices (its read returns), so a scenario
 * can check that a front end gives up on it (a timeout) and closes its connection rather than
 * leaving it open.
 */
final class HangingBackend extends SocketServer {
  private HangingBackend(String name) {
    super(name);
  }

  static HangingBackend start(String name) {
    return new HangingBackend(name);
  }

  @Override
  void serve(Connection connection) throws IOException {
    if (connection.nextRequest() == null) {
      return;
    }
    connection.drainUntilPeerCloses();
  }
}
