package dev.tether.stub;

import java.util.concurrent.CountDownLatch;

/**
 * Stands for Tether code a thread is stuck in (outside {@code dev.tether.contract}), so the
 * books' thread check can be seen to fail.
 */
public final class Stuck {
  private Stuck() {}

  /** Starts a daemon thread named {@code name} that waits in this class until {@code release}. */
  public static Thread in(String name, CountDownLatch release) {
    Thread thread = new Thread(() -> waitFor(release), name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void waitFor(CountDownLatch release) {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
