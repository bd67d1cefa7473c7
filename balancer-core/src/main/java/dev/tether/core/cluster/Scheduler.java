package dev.tether.core.cluster;

/**
 * Where the cluster runtime's background work runs, and the monotonic time it reads. Production
 * uses {@link ExecutorScheduler}; tests drive a manual scheduler on a fake clock, so ejection
 * times, refresh rates and health-check intervals are tested without sleeping.
 */
interface Scheduler {

  /** A scheduled task that can be cancelled. */
  interface Task {
    /** Cancels the task if it has not started; a running task finishes. */
    void cancel();
  }

  /** Monotonic time in nanoseconds, as {@link System#nanoTime()}: only differences mean anything. */
  long nanoTime();

  /** Runs {@code task} once, {@code delayNanos} from now (0: as soon as possible). */
  Task schedule(Runnable task, long delayNanos);

  /** Stops running tasks; scheduled ones are dropped. Idempotent. */
  void shutdown();

  /**
   * Runs {@code task} now and then again {@code periodNanos} after each run ends, until the
   * returned task is cancelled: Envoy's timers re-arm the same way, so a slow run never piles up
   * runs behind it.
   */
  default Task repeat(Runnable task, long initialDelayNanos, long periodNanos) {
    final class Repeating implements Task, Runnable {
      private volatile boolean cancelled;
      private volatile Task next;

      @Override
      public void run() {
        if (cancelled) {
          return;
        }
        try {
          task.run();
        } finally {
          if (!cancelled) {
            next = schedule(this, periodNanos);
          }
        }
      }

      @Override
      public void cancel() {
        cancelled = true;
        Task scheduled = next;
        if (scheduled != null) {
          scheduled.cancel();
        }
      }
    }
    Repeating repeating = new Repeating();
    repeating.next = schedule(repeating, initialDelayNanos);
    return repeating;
  }
}
