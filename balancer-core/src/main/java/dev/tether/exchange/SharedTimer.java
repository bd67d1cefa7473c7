package dev.tether.exchange;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link PendingTimer}: one daemon thread, {@code tether-pending-timer}, shared
 * by every proxy in the JVM. It exists only while some queued request waits (its thread ends
 * after a second without work), so a front end without circuit-breaking limits, or one whose
 * queue is empty, runs no thread for it; and it needs no stopping when a front end stops, since a
 * front end that stops has no request left waiting. Its only work is to answer a request whose
 * wait ran out, which takes a lock and calls the front end's continuation (a hand-off to the
 * container's executor), so one thread is plenty.
 */
final class SharedTimer implements PendingTimer {
  static final SharedTimer INSTANCE = new SharedTimer();

  private final ScheduledThreadPoolExecutor executor;

  private SharedTimer() {
    executor = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "tether-pending-timer");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
  }

  @Override
  public Task schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }
}
