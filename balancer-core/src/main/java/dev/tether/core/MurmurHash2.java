package dev.tether.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * 64-bit MurmurHash2 exactly as libstdc++'s {@code std::_Hash_bytes} computes
 * {@code std::hash<std::string>} on 64-bit platforms, which Envoy's ring hash uses for
 * {@code MURMUR_HASH_2} with seed {@link #STD_HASH_SEED}. The tail is loaded little-endian and
 * mixed in once, and the final mix is {@code shift_mix(h) * m} then {@code shift_mix}.
 */
final class MurmurHash2 {
  /** The seed libstdc++ uses for {@code std::hash<std::string>}. */
  static final long STD_HASH_SEED = 0xc70f6907L;

  private static final long MUL = 0xc6a4a7935bd1e995L;
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private MurmurHash2() {}

  static long hash(String text) {
    return hash(text, STD_HASH_SEED);
  }

  static long hash(String text, long seed) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return hash(bytes, 0, bytes.length, seed);
  }

  static long hash(byte[] data, int offset, int length, long seed) {
    int alignedEnd = offset + (length & ~7);
    long h = seed ^ (length * MUL);
    for (int p = offset; p < alignedEnd; p += 8) {
      long k = shiftMix((long) LONG_LE.get(data, p) * MUL) * MUL;
      h ^= k;
      h *= MUL;
    }
    int tail = length & 7;
    if (tail != 0) {
      long k = 0;
      for (int i = tail - 1; i >= 0; i--) {
        k = (k << 8) | (data[alignedEnd + i] & 0xFFL);
      }
      h ^= k;
      h *= MUL;
    }
    h = shiftMix(h) * MUL;
    return shiftMix(h);
  }

  private static long shiftMix(long v) {
    return v ^ (v >>> 47);
  }
}
