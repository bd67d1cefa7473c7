package dev.tether.core;

import java.security.SecureRandom;
import java.util.Random;

/**
 * Where the 12-byte nonce of each sealed session value comes from. AES-GCM must never use one
 * nonce twice with one key; with random nonces that holds with overwhelming probability as long as
 * one key seals fewer than 2^32 values (NIST SP 800-38D, section 8.3). Production draws them from
 * {@link SecureRandom}; tests inject a seeded source so that a value is reproducible.
 */
public interface NonceSource {

  /** Fills {@code out[offset, offset + length)} with fresh random bytes. */
  void next(byte[] out, int offset, int length);

  /**
   * Random bytes from {@code DRBG} {@link SecureRandom}s (NIST SP 800-90A Hash_DRBG by default,
   * each seeded by the JDK from the system's entropy source), one per stripe of threads.
   *
   * <p>A DRBG call costs about as much as the rest of a seal, whatever it returns, so each stripe
   * draws 1,536 bytes (128 nonces) at a time and hands them out in order; the bytes are used once
   * and the buffer lives only in this process's memory, as the DRBG's own state does. Stripes
   * (chosen by thread id, each under its own lock) rather than thread locals: a container on
   * virtual threads would otherwise seed a DRBG for every request.
   */
  static NonceSource secure() {
    return new SecureNonces();
  }

  /** A reproducible source for tests and benchmarks: never for production values. */
  static NonceSource seeded(long seed) {
    Random random = new Random(seed);
    return (out, offset, length) -> {
      synchronized (random) {
        for (int i = 0; i < length; i++) {
          out[offset + i] = (byte) random.nextInt(256);
        }
      }
    };
  }
}
