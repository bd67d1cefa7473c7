package dev.tether.api;

/** The function that hashes ring entries (Envoy's {@code RingHashLbConfig.HashFunction}). */
public enum HashFunction {
  /** XXH64, seed 0: Envoy's default. */
  XX_HASH,
  /** 64-bit MurmurHash2 as libstdc++ {@code std::hash<std::string>} computes it. */
  MURMUR_HASH_2
}
