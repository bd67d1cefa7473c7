package dev.tether.core;

/**
 * Which of a few shared, lock-guarded objects a thread uses, for state that is costly to build and
 * not thread-safe (a {@link javax.crypto.Cipher}, a DRBG). A thread always gets the same stripe,
 * so its objects stay warm; with more stripes than cores, two threads rarely wait for one. A
 * thread local would build one per thread, which on virtual threads means one per request.
 */
final class Stripes {
  /** A power of two, at least four per core and at least 16. */
  static final int COUNT = Integer.highestOneBit(
      Math.max(16, Runtime.getRuntime().availableProcessors() * 4) * 2 - 1);

  private Stripes() {}

  /** The calling thread's stripe, 0 to {@link #COUNT} - 1. */
  static int index() {
    long id = Thread.currentThread().getId();
    // Fibonacci hashing spreads consecutive thread ids over the stripes.
    return (int) ((id * 0x9E3779B97F4A7C15L) >>> 32) & (COUNT - 1);
  }
}
