package dev.tether.core.cluster;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} on a fake clock: nothing runs until the test advances time, then every task
 * due by then runs on the test's thread, in due order. Tests never sleep.
 */
final class ManualScheduler implements Scheduler {
  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private long now = 1_000_000_000L;
  private long sequence;
  private boolean shutdown;

  private final class Entry implements Comparable<Entry>, Task {
    final long due;
    final long order;
    final Runnable task;
    boolean cancelled;

    Entry(long due, long order, Runnable task) {
      this.due = due;
      this.order = order;
      this.task = task;
    }

    @Override
    public int compareTo(Entry other) {
      int byDue = Long.compare(due, other.due);
      return byDue != 0 ? byDue : Long.compare(order, other.order);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized Task schedule(Runnable task, long delayNanos) {
    Entry entry = new Entry(now + Math.max(0, delayNanos), sequence++, task);
    if (!shutdown) {
      queue.add(entry);
    }
    return entry;
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
    queue.clear();
  }

  /** Runs every task due now (including tasks those tasks schedule for now). */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves the clock forward, running every task that falls due on the way, in order. */
  void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toNanos();
    }
    while (true) {
      Entry next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        queue.poll();
        now = Math.max(now, next.due);
      }
      if (!next.cancelled) {
        next.task.run();
      }
    }
  }

  /** Tasks waiting (cancelled ones included until they come due). */
  synchronized int pending() {
    int n = 0;
    for (Entry e : queue) {
      n += e.cancelled ? 0 : 1;
    }
    return n;
  }

  synchronized boolean isShutdown() {
    return shutdown;
  }
}
