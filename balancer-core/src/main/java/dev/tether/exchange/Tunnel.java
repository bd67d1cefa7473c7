package dev.tether.exchange;

import dev.tether.api.Exchange;
import dev.tether.api.Failure;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The life of one open tunnel (a WebSocket or any other upgraded connection), the same for every
 * front end, whatever moves its bytes: two directions that each end once (half-close honoured:
 * the end of one direction shuts the other side's output and the other direction goes on), an
 * idle clock reset by every byte either way, and one report to the exchange when the tunnel is
 * over.
 *
 * <p>Thread-safe: each direction usually runs on its own thread or callback.
 */
public final class Tunnel {
  private final Exchange exchange;
  private final long idleNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong lastActivity;
  private final AtomicBoolean clientToServerEnded = new AtomicBoolean();
  private final AtomicBoolean serverToClientEnded = new AtomicBoolean();
  private final AtomicBoolean over = new AtomicBoolean();

  /**
   * @param exchange the exchange whose {@link Exchange#responded} answered TUNNEL
   * @param idleNanos the idle timeout, 0 for none
   */
  public Tunnel(Exchange exchange, long idleNanos, LongSupplier nanoTime) {
    this.exchange = exchange;
    this.idleNanos = idleNanos;
    this.nanoTime = nanoTime;
    this.lastActivity = new AtomicLong(nanoTime.getAsLong());
  }

  /** A tunnel on {@link System#nanoTime()} with the exchange's idle timeout. */
  public static Tunnel of(Exchange exchange, long idleNanos) {
    return new Tunnel(exchange, idleNanos, System::nanoTime);
  }

  /** Bytes moved in either direction: the idle clock starts again. */
  public void activity() {
    lastActivity.set(nanoTime.getAsLong());
  }

  /**
   * The client -> server direction reached the end of its stream (the client shut its output):
   * shut the server connection's output. Returns true when the other direction had ended too,
   * so the tunnel is over and both connections should be closed ({@link #end} has been called).
   */
  public boolean clientToServerEnded() {
    clientToServerEnded.set(true);
    return serverToClientEnded.get() && end(null);
  }

  /** As {@link #clientToServerEnded}, for the server -> client direction. */
  public boolean serverToClientEnded() {
    serverToClientEnded.set(true);
    return clientToServerEnded.get() && end(null);
  }

  /**
   * Nanoseconds left before the idle timeout; 0 or less means it has passed (then call
   * {@code end(Failure.IDLE_TIMEOUT)} and close both connections). {@link Long#MAX_VALUE} when
   * there is no idle timeout.
   */
  public long idleLeft() {
    if (idleNanos == 0) {
      return Long.MAX_VALUE;
    }
    return lastActivity.get() + idleNanos - nanoTime.getAsLong();
  }

  /**
   * Ends the tunnel, once: a normal end (null) reports {@link Exchange#completed}, a failure
   * ({@link Failure#RESET_DURING_BODY} when a connection broke, {@link Failure#IDLE_TIMEOUT},
   * {@link Failure#CANCELLED} when the client's side broke) reports it to the exchange. The
   * caller closes both connections. Returns whether this call ended it.
   */
  public boolean end(Failure failure) {
    if (!over.compareAndSet(false, true)) {
      return false;
    }
    if (failure == null) {
      exchange.completed();
    } else {
      exchange.failed(failure);
    }
    return true;
  }

  /** Whether {@link #end} has been called. */
  public boolean isOver() {
    return over.get();
  }
}
