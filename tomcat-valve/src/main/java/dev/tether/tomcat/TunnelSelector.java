package dev.tether.tomcat;

import dev.tether.api.Failure;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.res.StringManager;

/**
 * The backend side of every open tunnel of one valve: one daemon thread over one JDK
 * {@link Selector}, so an open tunnel costs a registered socket and two buffers, never a thread
 * (the client side is Tomcat's own poller). Started with the first tunnel, stopped with the valve,
 * which closes the tunnels still open.
 *
 * <p>The thread owns the selection keys: a tunnel asks for its interest set to be applied with
 * {@link #update}, which other threads queue and this one applies after waking up. It also runs
 * the idle clock: every tunnel of a valve has the same idle timeout, so the earliest deadline
 * found by a scan is a safe time for the next one, and a tunnel opened later cannot expire
 * before it.
 */
final class TunnelSelector {
  private static final Log log = LogFactory.getLog(TunnelSelector.class);
  private static final StringManager strings = StringManager.getManager(TunnelSelector.class);

  private final String threadName;
  private final long idleNanos;
  private final ConcurrentLinkedQueue<TunnelHandler> changed = new ConcurrentLinkedQueue<>();
  private final Consumer<SelectionKey> onReady = this::ready;
  private final Object lifecycle = new Object();
  /** Guarded by {@link #lifecycle} until published; then read freely. */
  private volatile Selector selector;
  private volatile Thread thread;
  private volatile boolean closed;
  /** Selector thread only: when to look for idle tunnels next ({@link System#nanoTime}). */
  private long nextIdleScan;
  private boolean idleScanDue;

  /**
   * @param threadName the selector thread's name
   * @param idleNanos every tunnel's idle timeout, 0 for none
   */
  TunnelSelector(String threadName, long idleNanos) {
    this.threadName = threadName;
    this.idleNanos = idleNanos;
  }

  /**
   * Applies {@code tunnel}'s interest set (registering its backend connection the first time):
   * at once on the selector thread, else soon after waking it. A tunnel that arrives after
   * {@link #close} is ended at once.
   */
  void update(TunnelHandler tunnel) {
    Selector current = started();
    if (current == null) {
      tunnel.fail(Failure.CANCELLED, null);
      return;
    }
    if (Thread.currentThread() == thread) {
      apply(tunnel, current);
      return;
    }
    changed.add(tunnel);
    current.wakeup();
    if (closed) {
      // Raced with close(): the thread may have drained the queue already.
      drainChanged();
    }
  }

  /** Wakes the thread so that it lets go of connections closed elsewhere; no-op if not started. */
  void wakeup() {
    Selector current = selector;
    if (current != null) {
      current.wakeup();
    }
  }

  /** Open tunnels, for tests and diagnostics. */
  int tunnels() {
    Selector current = selector;
    return current == null || !current.isOpen() ? 0 : current.keys().size();
  }

  /**
   * Stops the thread and closes every tunnel still open (its exchange told
   * {@link Failure#CANCELLED}: not the backend's doing). Waits a few seconds at most.
   */
  void close() {
    Thread running;
    synchronized (lifecycle) {
      closed = true;
      running = thread;
    }
    if (running == null) {
      return;
    }
    selector.wakeup();
    try {
      running.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drainChanged();
  }

  private Selector started() {
    Selector current = selector;
    if (current != null || closed) {
      return closed ? null : current;
    }
    synchronized (lifecycle) {
      if (closed) {
        return null;
      }
      if (selector == null) {
        try {
          Selector opened = Selector.open();
          Thread started = new Thread(this::run, threadName);
          started.setDaemon(true);
          // Never a web application's loader: the thread outlives any request that started it.
          started.setContextClassLoader(TunnelSelector.class.getClassLoader());
          selector = opened;
          thread = started;
          started.start();
        } catch (IOException e) {
          log.error(strings.getString("tunnels.openFailed", e.toString()), e);
          return null;
        }
      }
      return selector;
    }
  }

  private void run() {
    Selector sel = selector;
    try {
      while (!closed) {
        long timeoutMillis = 0;
        if (idleScanDue) {
          long left = nextIdleScan - System.nanoTime();
          if (left <= 0) {
            scanIdle(sel);
            continue;
          }
          timeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        }
        sel.select(onReady, timeoutMillis);
        for (TunnelHandler tunnel = changed.poll(); tunnel != null; tunnel = changed.poll()) {
          apply(tunnel, sel);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      log.error(strings.getString("tunnels.failed", threadName, e.toString()), e);
    } finally {
      closed = true;
      for (SelectionKey key : sel.keys()) {
        ((TunnelHandler) key.attachment()).fail(Failure.CANCELLED, null);
      }
      drainChanged();
      try {
        sel.close();
      } catch (IOException ignored) {
        // Every channel is closed already.
      }
    }
  }

  private void drainChanged() {
    for (TunnelHandler tunnel = changed.poll(); tunnel != null; tunnel = changed.poll()) {
      tunnel.fail(Failure.CANCELLED, null);
    }
  }

  private void apply(TunnelHandler tunnel, Selector sel) {
    if (tunnel.apply(sel) && idleNanos > 0 && !idleScanDue) {
      nextIdleScan = System.nanoTime() + idleNanos;
      idleScanDue = true;
    }
  }

  private void ready(SelectionKey key) {
    TunnelHandler tunnel = (TunnelHandler) key.attachment();
    try {
      int ready = key.readyOps();
      tunnel.backendReady(ready);
    } catch (CancelledKeyException closedMeanwhile) {
      // The tunnel ended on another thread.
    } catch (RuntimeException e) {
      log.warn(strings.getString("tunnels.tunnelFailed", e.toString()), e);
      tunnel.fail(Failure.RESET_DURING_BODY, e);
    }
  }

  /** Ends tunnels idle for the timeout; schedules the next scan at the earliest deadline. */
  private void scanIdle(Selector sel) {
    long next = Long.MAX_VALUE;
    for (SelectionKey key : sel.keys()) {
      TunnelHandler tunnel = (TunnelHandler) key.attachment();
      long left = tunnel.idleLeft();
      if (left <= 0) {
        tunnel.fail(Failure.IDLE_TIMEOUT, null);
      } else {
        next = Math.min(next, left);
      }
    }
    idleScanDue = next != Long.MAX_VALUE;
    nextIdleScan = System.nanoTime() + (idleScanDue ? next : 0);
  }
}
