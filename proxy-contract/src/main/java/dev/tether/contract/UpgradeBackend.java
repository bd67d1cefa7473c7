package dev.tether.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend for HTTP/1.1 {@code Upgrade} that is not WebSocket, speaking bytes directly so a
 * scenario controls every step of the tunnel. A request with {@code Upgrade} and
 * {@code Connection: upgrade} is answered, in the default {@link Mode#ECHO}, with
 * {@code 101 Switching Protocols}, {@code Connection: Upgrade}, the same {@code Upgrade}, and
 * {@value Backend#INSTANCE_HEADER}; then every byte received is echoed. When the client's side
 * ends (its EOF, a half-close) the backend still sends {@link #tail} and only then closes:
 * a proxy that honours half-close delivers it. A request without an upgrade is answered
 * {@code 200} with the echo of its head and body (as {@link AnsweringBackend} does), so the
 * scenarios can see what a front end forwarded as a plain request.
 */
final class UpgradeBackend extends SocketServer {
  /** The protocol the contract upgrades to. */
  static final String PROTOCOL = "contract-echo";
  /** How long {@link Mode#DELAYED_101} waits before its 101. */
  static final int DELAY_MILLIS = 300;

  /** How an upgrade request is answered. */
  enum Mode {
    /** 101, echo, {@link #tail} after the client's EOF, close. */
    ECHO,
    /** 101, echo until {@code closeAfter} bytes went through, then close the connection. */
    CLOSE_AFTER,
    /** No switch: {@code 426 Upgrade Required}, a small text body, and go on as HTTP. */
    REFUSE,
    /** Never answer; hold the connection until the peer closes it. */
    HOLD,
    /** As {@link #ECHO}, but the 101 comes {@link #DELAY_MILLIS} after the request. */
    DELAYED_101
  }

  private final Mode mode;
  private final int closeAfter;
  private final AtomicInteger upgrades = new AtomicInteger();
  private final AtomicInteger tunnelsOpened = new AtomicInteger();

  private UpgradeBackend(String name, Mode mode, int closeAfter) {
    super(name);
    this.mode = mode;
    this.closeAfter = closeAfter;
  }

  static UpgradeBackend start(String name, Mode mode) {
    return new UpgradeBackend(name, mode, 0);
  }

  /** {@link Mode#CLOSE_AFTER}: closes once {@code bytes} bytes were echoed. */
  static UpgradeBackend closingAfter(String name, int bytes) {
    return new UpgradeBackend(name, Mode.CLOSE_AFTER, bytes);
  }

  /** Upgrade requests received so far. */
  int upgradeRequests() {
    return upgrades.get();
  }

  /** 101s sent so far. */
  int tunnelsOpened() {
    return tunnelsOpened.get();
  }

  /** What {@code name} sends after the client's side of the tunnel ended: several KiB. */
  static byte[] tail(String name) {
    return ("tail of " + name + "\n").repeat(8192 / (name.length() + 9) + 1)
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** The body of a {@link Mode#REFUSE} answer. */
  String refusal() {
    return "upgrade refused by " + name();
  }

  @Override
  void serve(Connection connection) throws IOException {
    for (HttpWire.Head head; (head = connection.nextHead()) != null; ) {
      ReceivedRequest request = connection.receive(head);
      if (!request.fields().has("upgrade") || !request.fields().lists("connection", "upgrade")) {
        HttpWire.writeResponse(connection.out, 200, request.echo(), INSTANCE_HEADER, name(),
            "content-type", AnsweringBackend.ECHO_TYPE);
        connection.idle();
        continue;
      }
      upgrades.incrementAndGet();
      switch (mode) {
        case REFUSE -> {
          HttpWire.writeResponse(connection.out, 426,
              refusal().getBytes(StandardCharsets.US_ASCII), INSTANCE_HEADER, name(),
              "content-type", "text/plain", "upgrade", PROTOCOL);
          connection.idle();
          continue;
        }
        case HOLD -> {
          connection.drainUntilPeerCloses();
          return;
        }
        case DELAYED_101 -> pause();
        default -> { }
      }
      String upgrade = request.fields().first("upgrade");
      connection.out.write(HttpWire.ascii("HTTP/1.1 101 Switching Protocols\r\n"
          + "connection: Upgrade\r\nupgrade: " + upgrade + "\r\n"
          + INSTANCE_HEADER + ": " + name() + "\r\n\r\n"));
      connection.out.flush();
      tunnelsOpened.incrementAndGet();
      tunnel(connection);
      return;
    }
  }

  private void tunnel(Connection connection) throws IOException {
    byte[] buffer = new byte[8192];
    long total = 0;
    for (int n; (n = connection.in.read(buffer)) >= 0; ) {
      connection.out.write(buffer, 0, n);
      connection.out.flush();
      total += n;
      if (mode == Mode.CLOSE_AFTER && total >= closeAfter) {
        connection.socket.close();
        return;
      }
    }
    connection.out.write(tail(name()));
    connection.out.flush();
    connection.socket.shutdownOutput();
  }

  private static void pause() throws IOException {
    try {
      Thread.sleep(DELAY_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted before the 101");
    }
  }
}
