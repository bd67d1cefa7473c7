package dev.tether.tomcat;

import dev.tether.api.Failure;
import dev.tether.exchange.Tunnel;
import jakarta.servlet.http.WebConnection;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.Nio2Channel;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.apache.tomcat.util.res.StringManager;

/**
 * One open tunnel: the client connection Tomcat upgraded after the backend's {@code 101}, and the
 * backend connection taken over from the upstream client, with bytes carried both ways through two
 * bounded buffers and never a thread of their own. Its life (half-close, idle clock, the one
 * report to the exchange) is the core's {@link Tunnel}, shared with the Jetty module.
 *
 * <p><b>Why Tomcat's internal upgrade API, not the Servlet one.</b> An external
 * {@code HttpUpgradeHandler} gets a {@code WebConnection} with a {@code ReadListener} and a
 * {@code WriteListener}, and on Tomcat that cannot carry a tunnel: (1) after every read callback
 * Tomcat registers read interest again ({@code AbstractProtocol.ConnectionHandler.longPoll} for an
 * {@code UPGRADED} socket), so a handler that stops reading because the backend is full gets
 * called again at once for as long as the client sends: it spins, or it blocks the thread; (2)
 * closing the {@code WebConnection} from another thread (the backend closed, the idle timeout
 * ran out, the valve stops) only flags its streams, and the socket stays open until the client
 * happens to send something; (3) there is no half-close. Tomcat's own WebSocket and HTTP/2 use
 * {@link InternalHttpUpgradeHandler} instead, the same in 10.1 and 11: the handler gets the
 * socket wrapper, answers each event with a {@code SocketState} ({@code SUSPENDED} stops reading
 * until {@link SocketWrapperBase#processSocket} resumes it), and may close the socket from any
 * thread. That is what this class uses; the Servlet {@link WebConnection} passed to
 * {@link #init} is not needed.
 *
 * <p>Client -> server: on Tomcat's read event (a container thread) bytes are read without
 * blocking and written to the backend; when the backend takes no more, the event answers
 * {@code SUSPENDED} and the selector waits for the backend to be writable, writes the rest and
 * resumes reading. Server -> client: on the selector thread bytes read from the backend are
 * written to the client without blocking; what the client socket cannot take at once stays in
 * Tomcat's write buffer (one buffer's worth at most), the backend is not read again until Tomcat's
 * write event has flushed it. The end of one direction shuts the other side's output (for the
 * client connection that needs a plain, not TLS, socket; over TLS the client connection is closed
 * once the backend's bytes are written); both ended, or a failure, closes both connections.
 *
 * <p>Threads: Tomcat serializes the events of one connection; the selector thread runs the
 * backend side. Each direction has its own lock, held only for non-blocking calls, and every use
 * of the client connection happens under one of them after checking that the tunnel is not over.
 * The client connection is closed by Tomcat, on one of its threads, when an event answered
 * {@code CLOSED} after taking both locks once: Tomcat recycles a closed connection's channel for
 * the next client, so no write of this tunnel may still be under way when it closes.
 */
final class TunnelHandler implements InternalHttpUpgradeHandler {
  private static final Log log = LogFactory.getLog(TunnelHandler.class);
  private static final StringManager strings = StringManager.getManager(TunnelHandler.class);

  /**
   * Bytes carried per read. At least Tomcat's socket read buffer ({@code socket.appReadBufSize},
   * 8 KiB by default), so a client read goes straight into this buffer.
   */
  static final int BUFFER_SIZE = 16 * 1024;

  /** Client reads per read event before the thread is handed back (others are waiting). */
  private static final int READS_PER_EVENT = 16;

  private final Tunnel tunnel;
  private final SocketChannel backend;
  private final String upstream;
  private final TunnelSelector selector;
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile SocketWrapperBase<?> client;

  // Client -> server, guarded by toServerLock.
  private final Object toServerLock = new Object();
  /** Bytes read from the client, not yet written to the backend (read mode). */
  private final ByteBuffer toServer = ByteBuffer.allocate(BUFFER_SIZE).flip();
  /** The backend took less than was read: wait for it to be writable, read no more. */
  private volatile boolean backendFull;
  private boolean clientEnded;

  // Server -> client, guarded by toClientLock.
  private final Object toClientLock = new Object();
  private final ByteBuffer toClient = ByteBuffer.allocate(BUFFER_SIZE);
  /** What the backend sent after its 101 head, relayed first. */
  private ByteBuffer leftover;
  /** Tomcat holds bytes the client socket did not take yet: read no more from the backend. */
  private volatile boolean clientFull;
  private volatile boolean backendEnded;
  private volatile boolean started;

  /** Selector thread only. */
  private SelectionKey key;

  /**
   * @param backend the backend connection, in non-blocking mode
   * @param leftover bytes the backend sent after the 101's head
   * @param upstream the backend's address, for log messages
   */
  TunnelHandler(Tunnel tunnel, SocketChannel backend, ByteBuffer leftover, String upstream,
      TunnelSelector selector) {
    this.tunnel = tunnel;
    this.backend = backend;
    this.leftover = leftover;
    this.upstream = upstream;
    this.selector = selector;
  }

  // ------------------------------------------------------------------ Tomcat (container threads)

  @Override
  public void setSocketWrapper(SocketWrapperBase<?> wrapper) {
    this.client = wrapper;
  }

  /** The 101 has been written: relay the backend's first bytes, start reading the backend. */
  @Override
  public void init(WebConnection unused) {
    synchronized (toClientLock) {
      started = true;
      ByteBuffer first = leftover;
      leftover = null;
      if (first != null && first.hasRemaining() && !tunnel.isOver()) {
        tunnel.activity();
        writeToClient(first);
      }
    }
    selector.update(this);
    // Tomcat dispatches the read event next, with whatever the client sent after its request.
  }

  @Override
  public SocketState upgradeDispatch(SocketEvent status) {
    SocketState state = SocketState.CLOSED;
    if (!tunnel.isOver()) {
      switch (status) {
        case OPEN_READ -> state = clientReadable();
        case OPEN_WRITE -> {
          clientWritable();
          state = SocketState.UPGRADED;
        }
        // ERROR, DISCONNECT, STOP: the client connection broke, or Tomcat is stopping.
        default -> fail(Failure.CANCELLED, null);
      }
    }
    if (tunnel.isOver()) {
      // Also the answer to the STOP that release() asks for when the tunnel ended elsewhere.
      release();
      quiesce();
      return SocketState.CLOSED; // Tomcat closes the client connection
    }
    return state;
  }

  /**
   * Called by Tomcat when it lets go of the connection, after {@link #init} or instead of it (the
   * client went away before the 101 was written): whatever is still open ends here.
   */
  @Override
  public void destroy() {
    fail(Failure.CANCELLED, null);
    quiesce();
  }

  @Override
  public void timeoutAsync(long now) {
    // The idle clock runs on the selector thread.
  }

  @Override
  public void setSslSupport(SSLSupport sslSupport) {
    // Bytes are carried as they are; nothing depends on the client's TLS session.
  }

  @Override
  public void pause() {
    // A paused connector takes no new connections; open tunnels go on until they end.
  }

  private SocketState clientReadable() {
    synchronized (toServerLock) {
      if (tunnel.isOver()) {
        return SocketState.CLOSED;
      }
      if (backendFull || clientEnded) {
        return SocketState.SUSPENDED; // read again once the backend has taken what we have
      }
      SocketWrapperBase<?> from = client;
      for (int reads = 0; reads < READS_PER_EVENT; reads++) {
        int n;
        toServer.clear();
        try {
          n = from.read(false, toServer);
        } catch (EOFException end) {
          n = -1; // how Tomcat's socket wrappers report the end of the stream
        } catch (IOException e) {
          toServer.position(0).limit(0);
          fail(Failure.CANCELLED, e);
          return SocketState.CLOSED;
        }
        toServer.flip();
        if (n == 0) {
          return SocketState.UPGRADED; // Tomcat registers read interest again
        }
        if (n < 0) {
          return clientEnded();
        }
        tunnel.activity();
        try {
          backend.write(toServer);
        } catch (IOException e) {
          fail(Failure.RESET_DURING_BODY, e);
          return SocketState.CLOSED;
        }
        if (toServer.hasRemaining()) {
          backendFull = true;
          break;
        }
      }
    }
    if (backendFull) {
      selector.update(this);
    } else {
      // Many reads in a row: let other connections have the thread, then go on.
      client.processSocket(SocketEvent.OPEN_READ, true);
    }
    return SocketState.SUSPENDED;
  }

  /** The client shut its output: so does the backend connection; the other way goes on. */
  private SocketState clientEnded() {
    clientEnded = true;
    try {
      backend.shutdownOutput();
    } catch (IOException e) {
      fail(Failure.RESET_DURING_BODY, e);
      return SocketState.CLOSED;
    }
    if (tunnel.clientToServerEnded()) {
      release();
      return SocketState.CLOSED;
    }
    // Nothing more to read: no read interest (an ended stream would be readable for ever).
    return SocketState.SUSPENDED;
  }

  private void clientWritable() {
    synchronized (toClientLock) {
      if (tunnel.isOver()) {
        return;
      }
      try {
        if (client.flush(false)) {
          client.registerWriteInterest();
          return;
        }
      } catch (IOException e) {
        fail(Failure.CANCELLED, e);
        return;
      }
      if (!clientFull) {
        return;
      }
      clientFull = false;
      if (backendEnded) {
        serverToClientEnded();
        return;
      }
    }
    selector.update(this); // read the backend again
  }

  // ------------------------------------------------------------------ selector thread

  /**
   * Applies the interest set this tunnel's state asks for, registering the backend connection
   * the first time. Returns true when it registered it.
   */
  boolean apply(Selector sel) {
    if (released.get()) {
      if (key != null) {
        key.cancel();
      }
      return false;
    }
    int ops = (started && !clientFull && !backendEnded ? SelectionKey.OP_READ : 0)
        | (backendFull ? SelectionKey.OP_WRITE : 0);
    if (key == null) {
      try {
        key = backend.register(sel, ops, this);
        return true;
      } catch (ClosedChannelException e) {
        fail(Failure.RESET_DURING_BODY, e);
        return false;
      }
    }
    if (key.isValid() && key.interestOps() != ops) {
      key.interestOps(ops);
    }
    return false;
  }

  void backendReady(int readyOps) {
    if ((readyOps & SelectionKey.OP_WRITE) != 0) {
      backendWritable();
    }
    if ((readyOps & SelectionKey.OP_READ) != 0) {
      backendReadable();
    }
    if (!released.get()) {
      selector.update(this);
    }
  }

  private void backendReadable() {
    synchronized (toClientLock) {
      if (tunnel.isOver() || clientFull || backendEnded) {
        return;
      }
      int n;
      toClient.clear();
      try {
        n = backend.read(toClient);
      } catch (IOException e) {
        fail(Failure.RESET_DURING_BODY, e);
        return;
      }
      toClient.flip();
      if (n > 0) {
        tunnel.activity();
        writeToClient(toClient);
      } else if (n < 0) {
        backendEnded = true;
        if (!clientFull) {
          serverToClientEnded();
        }
      }
    }
  }

  private void backendWritable() {
    synchronized (toServerLock) {
      if (tunnel.isOver() || !backendFull) {
        return;
      }
      try {
        backend.write(toServer);
      } catch (IOException e) {
        fail(Failure.RESET_DURING_BODY, e);
        return;
      }
      if (toServer.hasRemaining()) {
        return;
      }
      backendFull = false;
    }
    client.processSocket(SocketEvent.OPEN_READ, true); // read the client again
  }

  /** Nanoseconds before the idle timeout (see {@link Tunnel#idleLeft}). */
  long idleLeft() {
    return tunnel.idleLeft();
  }

  // ------------------------------------------------------------------ both

  /** Writes {@code bytes} to the client without blocking; the caller holds toClientLock. */
  private void writeToClient(ByteBuffer bytes) {
    SocketWrapperBase<?> to = client;
    try {
      to.write(false, bytes);
      if (to.flush(false)) {
        clientFull = true;
        to.registerWriteInterest();
      }
    } catch (IOException e) {
      fail(Failure.CANCELLED, e);
    }
  }

  /**
   * Every byte from the backend has reached Tomcat's socket: shut the client connection's output,
   * or, when both directions have ended, end the tunnel. The caller holds toClientLock.
   */
  private void serverToClientEnded() {
    if (tunnel.serverToClientEnded()) {
      release();
      return;
    }
    if (!shutdownClientOutput()) {
      // Over TLS the client connection cannot be half-closed: the backend's end ends it.
      tunnel.end(null);
      release();
    }
  }

  /** Half-closes a plain client connection; false when its channel is TLS or unknown. */
  private boolean shutdownClientOutput() {
    Object socket = client.getSocket();
    try {
      if (socket != null && socket.getClass() == NioChannel.class) {
        ((NioChannel) socket).getIOChannel().shutdownOutput();
        return true;
      }
      if (socket != null && socket.getClass() == Nio2Channel.class) {
        ((Nio2Channel) socket).getIOChannel().shutdownOutput();
        return true;
      }
    } catch (IOException e) {
      fail(Failure.CANCELLED, e);
      return true;
    }
    return false;
  }

  /**
   * Ends the tunnel with {@code failure} (once: later calls do nothing) and closes both
   * connections.
   */
  void fail(Failure failure, Throwable cause) {
    if (tunnel.end(failure) && log.isDebugEnabled()) {
      log.debug(strings.getString("tunnel.failed", upstream, failure,
          cause == null ? "-" : cause.toString()));
    }
    release();
  }

  /**
   * After the tunnel ended: closes the backend connection now, and has Tomcat close the client
   * connection on one of its threads (a STOP event, answered {@code CLOSED}; when an event of
   * this connection is running already, its own answer closes it and the STOP finds it closed).
   */
  private void release() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    try {
      backend.close();
    } catch (IOException ignored) {
      // Nothing more to do with a connection that is being dropped.
    }
    // A channel registered with a selector is closed for good when the selector next wakes up.
    selector.wakeup();
    SocketWrapperBase<?> to = client;
    if (to != null) {
      to.processSocket(SocketEvent.STOP, true);
    }
  }

  /**
   * Waits until no use of the client connection by this tunnel is under way. Called once the
   * tunnel is over, so none starts afterwards: each checks under its lock first.
   */
  private void quiesce() {
    synchronized (toServerLock) {
      synchronized (toClientLock) {
        // Both directions are idle now.
      }
    }
  }
}
