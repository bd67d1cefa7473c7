package dev.tether.it.harness;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Waits for a state by polling it until a deadline: never a fixed sleep standing in for "long
 * enough". The pause between attempts only keeps the poll from spinning.
 */
public final class Poll {

  private static final long PAUSE_MILLIS = 25;

  private Poll() {}

  /**
   * Calls {@code attempt} until it returns a value or {@code timeout} passes. An attempt may throw
   * to mean "not yet"; the last such failure is the cause of the timeout error.
   *
   * @throws IllegalStateException naming {@code what} when the deadline passes
   */
  public static <T> T until(String what, Duration timeout, Callable<Optional<T>> attempt) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        Optional<T> value = attempt.call();
        if (value.isPresent()) {
          return value.get();
        }
      } catch (Fatal fatal) {
        throw fatal;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("timed out after " + timeout + ": " + what, last);
      }
      try {
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting: " + what, e);
      }
    }
  }

  /** Thrown by an attempt when waiting longer cannot help (the process died). */
  public static final class Fatal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Fatal(String message) {
      super(message);
    }
  }
}
