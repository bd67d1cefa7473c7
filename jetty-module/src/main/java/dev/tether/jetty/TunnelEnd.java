package dev.tether.jetty;

import dev.tether.api.Failure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side of an open tunnel: the connection that takes over an {@link EndPoint} (the client's,
 * through Jetty's {@code UPGRADE_CONNECTION_ATTRIBUTE}; the backend's, through
 * {@link EndPoint#upgrade}) and moves what it reads to its peer's endpoint: read, write, read
 * again once the write is done, so a slow reader holds back the writer (no stream is buffered)
 * and no thread waits while nothing moves. Bytes that arrived with the handshake (after the
 * client's request, after the backend's 101) come in through {@link #onUpgradeTo} and are written
 * first.
 *
 * <p>The tunnel's life is the core's {@link dev.tether.exchange.Tunnel} (named in full: Jetty's
 * {@code Connection.Tunnel} shadows it here): an end of stream shuts the peer's output and
 * the other direction goes on (half-close); both connections close when both directions ended,
 * when either breaks, or when no byte moved either way for the idle timeout. The endpoint's own
 * idle timeout is set to the tunnel's, so the connector's shorter default never cuts a quiet
 * tunnel, and an expiry only ends it when the tunnel as a whole has been idle that long.
 */
final class TunnelEnd extends AbstractConnection implements Connection.UpgradeTo {
  private static final Logger LOG = LoggerFactory.getLogger(TunnelEnd.class);
  private static final int BUFFER_SIZE = 16 * 1024;

  private final dev.tether.exchange.Tunnel tunnel;
  private final boolean clientSide;
  private final ByteBufferPool pool;
  private final long idleMillis;
  private final Pump pump = new Pump();
  private TunnelEnd peer;
  private ByteBuffer handshakeBytes;
  /** The peer read the end of its stream and shut this end's output. */
  private volatile boolean outputEnded;

  /**
   * @param clientSide whether this end reads from the client (and writes to the backend)
   * @param idleMillis the endpoint idle timeout, 0 for none
   */
  TunnelEnd(EndPoint endPoint, Executor executor, ByteBufferPool pool, dev.tether.exchange.Tunnel tunnel,
      boolean clientSide, long idleMillis) {
    super(endPoint, executor);
    this.pool = pool;
    this.tunnel = tunnel;
    this.clientSide = clientSide;
    this.idleMillis = idleMillis;
  }

  /** Pairs the two ends; called once, before either opens. */
  static void pair(TunnelEnd client, TunnelEnd server) {
    client.peer = server;
    server.peer = client;
  }

  @Override
  public void onUpgradeTo(ByteBuffer buffer) {
    handshakeBytes = buffer;
  }

  /**
   * The client's end opens once Jetty has sent the 101 and handed over the client's endpoint; it
   * then upgrades the backend's endpoint to its peer, so no byte of the backend's reaches the
   * client before the 101 does.
   */
  @Override
  public void onOpen() {
    super.onOpen();
    getEndPoint().setIdleTimeout(idleMillis);
    if (clientSide) {
      peer.getEndPoint().upgrade(peer);
    }
    ByteBuffer first = handshakeBytes;
    handshakeBytes = null;
    if (BufferUtil.hasContent(first)) {
      tunnel.activity();
      peer.getEndPoint().write(Callback.from(this::fillInterested,
          failure -> broken(!clientSide, failure)), first);
    } else {
      fillInterested();
    }
  }

  @Override
  public void onFillable() {
    pump.iterate();
  }

  @Override
  public boolean onIdleExpired(TimeoutException timeout) {
    if (tunnel.idleLeft() > 0) {
      return false; // bytes moved the other way: the tunnel as a whole is not idle
    }
    if (tunnel.end(Failure.IDLE_TIMEOUT)) {
      LOG.debug("tunnel idle for {} ms, closing {}", idleMillis, this);
    }
    closeBoth(timeout);
    return false;
  }

  @Override
  public void onClose(Throwable cause) {
    super.onClose(cause);
    if (outputEnded) {
      // The peer's direction ended and shut this output; Jetty closes an endpoint whose input
      // then ends too (possibly from inside the fill that read the end, before ended() runs).
      // Either way this direction is over as well: a normal end.
      directionEnded();
      return;
    }
    if (!tunnel.isOver()) {
      // Closed underneath us (the connector stopping, an abort): the tunnel cannot go on.
      tunnel.end(clientSide ? Failure.CANCELLED : Failure.RESET_DURING_BODY);
      peer.getEndPoint().close(cause);
    }
  }

  /** This end read the end of its stream: shut the peer's output; close both once both ended. */
  private void ended() {
    peer.outputEnded = true;
    peer.getEndPoint().shutdownOutput();
    directionEnded();
  }

  /** This end's direction (what it reads, to its peer) is over; close both once both are. */
  private void directionEnded() {
    boolean over = clientSide ? tunnel.clientToServerEnded() : tunnel.serverToClientEnded();
    if (over) {
      closeBoth(null);
    }
  }

  /**
   * A read or a write failed.
   *
   * @param clientBroke whether the client's connection failed (else the backend's)
   */
  private void broken(boolean clientBroke, Throwable failure) {
    if (tunnel.end(clientBroke ? Failure.CANCELLED : Failure.RESET_DURING_BODY)) {
      LOG.debug("tunnel broken on the {} side", clientBroke ? "client" : "backend", failure);
    }
    closeBoth(failure);
  }

  private void closeBoth(Throwable cause) {
    getEndPoint().close(cause);
    peer.getEndPoint().close(cause);
  }

  /** Read, write to the peer, read again: one chunk in flight per direction. */
  private final class Pump extends IteratingCallback {
    private RetainableByteBuffer buffer;

    @Override
    protected Action process() {
      if (buffer == null) {
        buffer = Buffers.acquire(pool, BUFFER_SIZE, true);
      }
      ByteBuffer bytes = buffer.getByteBuffer();
      int filled;
      try {
        filled = getEndPoint().fill(bytes);
      } catch (IOException e) {
        release();
        broken(clientSide, e);
        return Action.SUCCEEDED;
      }
      if (filled > 0) {
        tunnel.activity();
        peer.getEndPoint().write(this, bytes);
        return Action.SCHEDULED;
      }
      // Nothing to move: give the buffer back while waiting, so a quiet tunnel holds none.
      release();
      if (filled == 0) {
        getEndPoint().fillInterested(this);
        return Action.SCHEDULED;
      }
      ended();
      return Action.SUCCEEDED;
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
      release();
      // A failed write is the peer's connection breaking; a failed fill interest, this one's.
      broken(getEndPoint().isOpen() ? !clientSide : clientSide, cause);
    }

    private void release() {
      RetainableByteBuffer held = buffer;
      buffer = null;
      if (held != null) {
        held.release();
      }
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }
  }
}
