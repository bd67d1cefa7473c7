package dev.tether.core;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Where the 12-byte nonce of each sealed session value comes from. AES-GCM must never use one
 * nonce twice with one key; with random nonces that holds with overwhelming probability as long as
 * one key seals fewer than 2^32 values (NIST SP 800-38D, section 8.3). Production draws them from
 * {@link SecureRandom}; tests inject a seeded source so that a value is reproducible.
 */
interface NonceSource {

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

  /** {@link #secure()}. */
  final class SecureNonces implements NonceSource {
    static final int BUFFER_BYTES = 128 * SealedValue.NONCE_BYTES;

    /** One stripe: its generator and the bytes it drew that are not handed out yet. */
    private static final class Stripe {
      final SecureRandom random = create();
      final byte[] buffer = new byte[BUFFER_BYTES];
      int used = BUFFER_BYTES;

      private static SecureRandom create() {
        try {
          return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
          return new SecureRandom();
        }
      }
    }

    private final AtomicReferenceArray<Stripe> stripes = new AtomicReferenceArray<>(Stripes.COUNT);

    @Override
    public void next(byte[] out, int offset, int length) {
      int index = Stripes.index();
      Stripe stripe = stripe(index);
      synchronized (stripe) {
        int at = offset;
        int left = length;
        while (left > 0) {
          if (stripe.used == BUFFER_BYTES) {
            stripe.random.nextBytes(stripe.buffer);
            stripe.used = 0;
          }
          int n = Math.min(left, BUFFER_BYTES - stripe.used);
          System.arraycopy(stripe.buffer, stripe.used, out, at, n);
          // Handed out: never again, not even after a failure further on.
          java.util.Arrays.fill(stripe.buffer, stripe.used, stripe.used + n, (byte) 0);
          stripe.used += n;
          at += n;
          left -= n;
        }
      }
    }

    private Stripe stripe(int index) {
      Stripe stripe = stripes.get(index);
      if (stripe == null) {
        stripes.compareAndSet(index, null, new Stripe());
        stripe = stripes.get(index);
      }
      return stripe;
    }
  }
}
