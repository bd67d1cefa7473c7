package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class NonceSourceTest {

  @Test
  void threadsSharingStripesNeverGetTheSameNonce() throws Exception {
    NonceSource nonces = NonceSource.secure();
    Set<ByteBuffer> seen = ConcurrentHashMap.newKeySet();
    int threads = 3 * Stripes.COUNT;
    int each = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          start.await();
          int fresh = 0;
          for (int i = 0; i < each; i++) {
            byte[] nonce = new byte[SealedValue.NONCE_BYTES];
            nonces.next(nonce, 0, nonce.length);
            fresh += seen.add(ByteBuffer.wrap(nonce)) ? 1 : 0;
          }
          return fresh;
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> result : results) {
        total += result.get(1, TimeUnit.MINUTES);
      }
      assertThat(total).isEqualTo(threads * each);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void requestsOfAnyLengthAreServedAcrossBufferRefills() {
    NonceSource nonces = NonceSource.secure();
    byte[] large = new byte[3 * SecureNonces.BUFFER_BYTES + 5];
    nonces.next(large, 0, large.length);
    Set<Long> words = new HashSet<>();
    ByteBuffer buffer = ByteBuffer.wrap(large);
    while (buffer.remaining() >= 8) {
      words.add(buffer.getLong());
    }
    assertThat(words).as("no block of the buffer repeats").hasSize(large.length / 8);
    byte[] odd = new byte[7];
    nonces.next(odd, 2, 5);
    assertThat(odd[0]).isZero();
    assertThat(odd[1]).isZero();
  }

  @Test
  void everyThreadMapsToAStripe() {
    assertThat(Integer.bitCount(Stripes.COUNT)).isEqualTo(1);
    assertThat(Stripes.COUNT).isGreaterThanOrEqualTo(16);
    assertThat(Stripes.index()).isBetween(0, Stripes.COUNT - 1);
  }
}
