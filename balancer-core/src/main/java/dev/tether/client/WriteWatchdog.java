package dev.tether.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Ends request-body writes a backend has stopped reading: a blocking socket write has no timeout
 * of its own (SO_TIMEOUT is for reads), so a backend that reads none of a body would hold the
 * thread that sends it, and the client connection behind it, for as long as it stays quiet. The
 * watchdog closes a connection whose write has not completed for the body timeout (the proxy's
 * {@code idleTimeout}: no byte moved), which makes the blocked write fail at once; the client
 * reports that write as a timeout, as Envoy's stream idle timeout does.
 *
 * <p>Only body writes are watched (a head fits the socket buffer), each with two set operations;
 * the thread that sweeps starts with the first watched write and ends with {@link #close()}.
 */
final class WriteWatchdog implements AutoCloseable {

  private final long timeoutNanos;
  private final LongSupplier nanoClock;
  private final Set<Connection> writing = ConcurrentHashMap.newKeySet();
  private final Object lifecycle = new Object();
  private volatile Thread sweeper;
  private volatile boolean closed;

  /** @param timeoutNanos how long one write may block; positive */
  WriteWatchdog(long timeoutNanos, LongSupplier nanoClock) {
    this.timeoutNanos = timeoutNanos;
    this.nanoClock = nanoClock;
  }

  /** Marks the start of a write on {@code c}; {@link #unwatch} must follow it. */
  void watch(Connection c) {
    c.writingSince = nanoClock.getAsLong();
    writing.add(c);
    if (sweeper == null) {
      startSweeper();
    }
  }

  void unwatch(Connection c) {
    writing.remove(c);
  }

  private void startSweeper() {
    synchronized (lifecycle) {
      if (sweeper != null || closed) {
        return;
      }
      Thread thread = new Thread(this::sweep, "tether-upstream-write-watchdog");
      thread.setDaemon(true);
      sweeper = thread;
      thread.start();
    }
  }

  private void sweep() {
    // A quarter of the timeout between looks: a write is cut at most 25% late.
    long pauseMillis = Math.max(10, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4));
    while (!closed) {
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        return;
      }
      long now = nanoClock.getAsLong();
      for (Connection c : writing) {
        if (now - c.writingSince >= timeoutNanos && writing.remove(c)) {
          c.writeTimedOut = true;
          c.close();
        }
      }
    }
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      closed = true;
      if (sweeper != null) {
        sweeper.interrupt();
      }
    }
  }
}
