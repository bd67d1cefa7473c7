package dev.tether.exchange;

/**
 * What answers a queued request when its wait runs out: production uses {@link SharedTimer}
 * (one daemon thread for every proxy, started on the first queued request with a limit, gone
 * when idle); tests use a manual one on a fake clock.
 */
interface PendingTimer {

  /** A scheduled run that can be cancelled. */
  interface Task {
    /** Cancels the run if it has not started; idempotent. */
    void cancel();
  }

  /** Runs {@code task} once, {@code delayNanos} from now. */
  Task schedule(Runnable task, long delayNanos);
}
