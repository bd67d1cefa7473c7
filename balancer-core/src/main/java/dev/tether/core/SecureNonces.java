package dev.tether.core;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** {@link NonceSource#secure()}: see there. */
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
