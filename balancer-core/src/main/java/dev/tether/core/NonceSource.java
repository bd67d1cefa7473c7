package dev.tether.core;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Where the 12-byte nonce of each sealed session value comes from. AES-GCM must never use one
 * nonce twice with one key; with random nonces that holds with overwhelming probability as long as
 * one key seals fewer than 2^32 values (NIST SP 800-38D, section 8.3). Production draws them from
 * a {@link SecureRandom} per thread (no lock shared between request threads); tests inject a
 * seeded source so that a value is reproducible.
 */
interface NonceSource {

  /** Fills {@code out[offset, offset + length)} with fresh random bytes. */
  void next(byte[] out, int offset, int length);

  /**
   * A {@code DRBG} {@link SecureRandom} per thread (NIST SP 800-90A Hash_DRBG by default), each
   * seeded by the JDK from the system's entropy source.
   */
  static NonceSource secure() {
    /** One thread's generator, and an array of the nonce's size for it to fill. */
    final class Generator {
      final SecureRandom random = create();
      final byte[] nonce = new byte[SealedValue.NONCE_BYTES];

      private static SecureRandom create() {
        try {
          return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
          return new SecureRandom();
        }
      }
    }
    ThreadLocal<Generator> generators = ThreadLocal.withInitial(Generator::new);
    return (out, offset, length) -> {
      Generator generator = generators.get();
      // SecureRandom fills whole arrays: the thread's own array when it has the right size.
      byte[] bytes = length == generator.nonce.length ? generator.nonce : new byte[length];
      generator.random.nextBytes(bytes);
      System.arraycopy(bytes, 0, out, offset, length);
    };
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
