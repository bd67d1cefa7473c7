package dev.tether.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link PendingTimer} on a fake clock: {@link #advance} runs what has come due, in order. */
final class ManualTimer implements PendingTimer {
  private final AtomicLong now;
  private final List<Scheduled> tasks = new ArrayList<>();

  private static final class Scheduled implements Task {
    final long due;
    final Runnable run;
    boolean cancelled;

    Scheduled(long due, Runnable run) {
      this.due = due;
      this.run = run;
    }

    @Override
    public synchronized void cancel() {
      cancelled = true;
    }
  }

  ManualTimer(AtomicLong now) {
    this.now = now;
  }

  @Override
  public synchronized Task schedule(Runnable task, long delayNanos) {
    Scheduled scheduled = new Scheduled(now.get() + delayNanos, task);
    tasks.add(scheduled);
    return scheduled;
  }

  /** Tasks scheduled and neither run nor cancelled. */
  synchronized int waiting() {
    int n = 0;
    for (Scheduled task : tasks) {
      n += task.cancelled ? 0 : 1;
    }
    return n;
  }

  /** Moves the clock on by {@code nanos} and runs every task that came due. */
  void advance(long nanos) {
    now.addAndGet(nanos);
    List<Scheduled> due = new ArrayList<>();
    synchronized (this) {
      for (Scheduled task : List.copyOf(tasks)) {
        if (task.due - now.get() <= 0) {
          tasks.remove(task);
          if (!task.cancelled) {
            due.add(task);
          }
        }
      }
    }
    for (Scheduled task : due) {
      task.run.run();
    }
  }
}
