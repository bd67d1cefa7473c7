package dev.tether.core.cluster;

import java.lang.System.Logger.Level;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Scheduler} on daemon threads named {@code tether-<balancer>-<role>-N}, created on first
 * use: a balancer with a static list and no health checks or outlier detection starts no thread.
 * A task that throws is logged and does not stop later runs.
 */
final class ExecutorScheduler implements Scheduler {
  private static final System.Logger LOG = System.getLogger(ExecutorScheduler.class.getName());
  private static final Task DONE = () -> {};

  private final String threadPrefix;
  private final int threads;
  private ScheduledThreadPoolExecutor executor;
  private boolean shutdown;

  ExecutorScheduler(String threadPrefix, int threads) {
    this.threadPrefix = threadPrefix;
    this.threads = threads;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Task schedule(Runnable task, long delayNanos) {
    ScheduledThreadPoolExecutor current = executor();
    if (current == null) {
      return DONE;
    }
    try {
      ScheduledFuture<?> future = current.schedule(() -> {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          LOG.log(Level.ERROR, threadPrefix + ": background task failed", e);
        }
      }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    } catch (RejectedExecutionException e) {
      return DONE;
    }
  }

  private synchronized ScheduledThreadPoolExecutor executor() {
    if (shutdown) {
      return null;
    }
    if (executor == null) {
      AtomicInteger count = new AtomicInteger();
      ThreadFactory factory = runnable -> {
        Thread thread = new Thread(runnable, threadPrefix + "-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      };
      executor = new ScheduledThreadPoolExecutor(threads, factory);
      executor.setRemoveOnCancelPolicy(true);
      executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }
    return executor;
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
