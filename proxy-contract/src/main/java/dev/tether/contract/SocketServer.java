package dev.tether.contract;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The socket side of the raw backends: a listening socket on 127.0.0.1 and an ephemeral port, a
 * thread per connection (backends hold connections on purpose: a blocked thread is the
 * simplest faithful "never answers"), and the counters every {@link Backend} reports.
 */
abstract class SocketServer implements Backend {
  private final String name;
  private final ServerSocket listener;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger busy = new AtomicInteger();
  private volatile boolean closed;

  SocketServer(String name) {
    this.name = name;
    try {
      listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on 127.0.0.1", e);
    }
    Thread acceptor = new Thread(this::accept, "contract-" + name + "-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Serves one connection until it ends; the connection is closed afterwards. */
  abstract void serve(Connection connection) throws IOException;

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final int port() {
    return listener.getLocalPort();
  }

  @Override
  public final List<ReceivedRequest> requests() {
    return List.copyOf(received);
  }

  @Override
  public final int connectionsAccepted() {
    return accepted.get();
  }

  @Override
  public final int busyConnections() {
    return busy.get();
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing: nothing to do.
    }
    for (Socket socket : open) {
      closeQuietly(socket);
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " " + name + " at " + address();
  }

  private void accept() {
    int n = 0;
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      open.add(socket);
      Thread worker = new Thread(() -> run(socket), "contract-" + name + "-connection-" + ++n);
      worker.setDaemon(true);
      worker.start();
    }
  }

  private void run(Socket socket) {
    Connection connection = null;
    try {
      socket.setTcpNoDelay(true);
      connection = new Connection(socket);
      serve(connection);
    } catch (IOException | RuntimeException e) {
      // The peer went away or sent something the backend cannot read: the connection ends.
    } finally {
      if (connection != null) {
        connection.idle();
      }
      closeQuietly(socket);
      open.remove(socket);
    }
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already closed or reset.
    }
  }

  /** One accepted connection: buffered input, direct output, and its busy flag. */
  final class Connection {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    private boolean busyNow;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** The next request head, or null when the peer ended the connection between requests. */
    HttpWire.Head nextHead() throws IOException {
      HttpWire.Head head = HttpWire.readHead(in);
      if (head != null) {
        busy();
      }
      return head;
    }

    /**
     * The next request, head and whole body, recorded; null when the peer ended the connection
     * between requests. For backends that answer one request per connection and then misbehave.
     */
    ReceivedRequest nextRequest() throws IOException {
      HttpWire.Head head = nextHead();
      return head == null ? null : receive(head);
    }

    /** Reads the body of {@code head} and records the request. */
    ReceivedRequest receive(HttpWire.Head head) throws IOException {
      BodyStream body = BodyStream.ofRequest(in, head.fields());
      byte[] bytes = body.readAll();
      ReceivedRequest request = new ReceivedRequest(head.method(), head.target(), head.fields(),
          bytes, body.complete());
      received.add(request);
      if (!body.complete()) {
        throw new java.io.EOFException("the request body was cut");
      }
      return request;
    }

    /** This connection is in the middle of something. */
    void busy() {
      if (!busyNow) {
        busyNow = true;
        busy.incrementAndGet();
      }
    }

    /** This connection is between requests again (or gone). */
    void idle() {
      if (busyNow) {
        busyNow = false;
        busy.decrementAndGet();
      }
    }

    /** Blocks until the peer closes its side (or resets); returns the bytes it sent meanwhile. */
    long drainUntilPeerCloses() {
      byte[] buffer = new byte[4096];
      long total = 0;
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          total += n;
        }
      } catch (IOException e) {
        // Reset or closed by close(): either way the peer is gone.
      }
      return total;
    }
  }
}
