package dev.tether.core;

/**
 * The 32-bit Mersenne Twister, {@code std::mt19937}, which Envoy's bounded-load hashing seeds
 * with the request hash to probe for a less loaded host in the same order on every replica. Only
 * the low 32 bits of a seed count, as in the C++ engine.
 */
final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] state = new int[N];
  private int index;

  Mt19937(long seed) {
    state[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      int prev = state[i - 1];
      state[i] = 1812433253 * (prev ^ (prev >>> 30)) + i;
    }
    index = N;
  }

  /** The next output as an unsigned 32-bit value. */
  long next() {
    if (index >= N) {
      twist();
    }
    int y = state[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y & 0xFFFFFFFFL;
  }

  /** A uniform value in {@code [0, k)} the way Envoy's bounded-load probe draws it. */
  int uniform(int k) {
    long bucket = (0x1_0000_0000L) / k;
    long x = k;
    while (x >= k) {
      x = next() / bucket;
    }
    return (int) x;
  }

  private void twist() {
    for (int i = 0; i < N; i++) {
      int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
      int next = state[(i + M) % N] ^ (y >>> 1);
      if ((y & 1) != 0) {
        next ^= 0x9908b0df;
      }
      state[i] = next;
    }
    index = 0;
  }
}
