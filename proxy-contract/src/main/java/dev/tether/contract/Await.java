package dev.tether.contract;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition with a deadline: the contract never sleeps to wait for a state, and never
 * waits without a bound.
 */
final class Await {
  private static final long POLL_MILLIS = 10;

  private Await() {}

  /** Returns once {@code condition} holds; fails naming {@code what} after {@code deadline}. */
  static void until(Duration deadline, String what, BooleanSupplier condition) {
    if (!holdsWithin(deadline, condition)) {
      throw new AssertionError("timed out after " + deadline + " waiting for " + what);
    }
  }

  /** Whether {@code condition} held at some point within {@code deadline}. */
  static boolean holdsWithin(Duration deadline, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        return false;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting", e);
      }
    }
    return true;
  }
}
