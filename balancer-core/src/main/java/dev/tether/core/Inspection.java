package dev.tether.core;

import dev.tether.api.Endpoint;
import dev.tether.api.HashPolicy;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.RequestView;
import dev.tether.api.TetherConfig;
import java.util.List;
import java.util.function.Supplier;

/**
 * The questions an operator's tool asks of the request path, answered by the code the
 * containers run: the hash of a text, the hash a request gets, Envoy's session values and sealed
 * ones, and, for benchmarks and tests, a table build on its own and a ring's entries. The
 * {@code tether} command line is written against this class, {@link Routing},
 * {@link CoreBalancer} and {@link KeyRing} alone; everything behind them stays package-private.
 *
 * <p>Nothing here is on the request path: a container never calls it.
 */
public final class Inspection {
  /** The seed libstdc++'s {@code std::hash<std::string>} gives MurmurHash2. */
  public static final long MURMUR_HASH_2_SEED = MurmurHash2.STD_HASH_SEED;

  /** {@link #unseal}'s reason for a value sealed with a key the ring does not hold. */
  public static final String SEALED_WITH_UNKNOWN_KEY = SealedValue.UNKNOWN_KEY;

  private Inspection() {}

  /** XXH64 of {@code text}'s UTF-8 bytes, as an unsigned 64-bit value in a long. */
  public static long xxHash64(String text, long seed) {
    return XxHash64.hash(text, seed);
  }

  /** 64-bit MurmurHash2 of {@code text}'s UTF-8 bytes, as libstdc++ computes it. */
  public static long murmurHash2(String text, long seed) {
    return MurmurHash2.hash(text, seed);
  }

  /** What the hash policies make of {@code request}: Envoy's {@code generateHash}. */
  public static RequestHash requestHash(List<HashPolicy> policies, RequestView request) {
    return RequestHasher.hash(policies, request);
  }

  /**
   * {@code host:port} as Envoy prints it and as session values carry it: an IP literal in its
   * canonical form, IPv6 in brackets; a host name as given.
   */
  public static String address(String host, int port) {
    return RequestHasher.hostPort(host, port);
  }

  /** Envoy's header session value for {@code address}: its Base64. */
  public static String encodeHeaderSession(String address) {
    return SessionCodec.encodeHeader(address);
  }

  /** Envoy's cookie session value: Base64 of the protobuf {@code {address, expires}}. */
  public static String encodeCookieSession(String address, long expires) {
    return SessionCodec.encodeCookie(address, expires);
  }

  /** Reads a header session value as Envoy does; never throws. */
  public static SessionValue decodeHeaderSession(String value) {
    return SessionCodec.decodeHeader(value);
  }

  /** Reads a cookie session value as Envoy does, expired at {@code nowSeconds}; never throws. */
  public static SessionValue decodeCookieSession(String value, long nowSeconds) {
    return SessionCodec.decodeCookie(value, nowSeconds);
  }

  /** Whether a session cookie of {@code cookiePath} applies to {@code requestPath}. */
  public static boolean cookiePathMatches(String cookiePath, String requestPath) {
    return CookiePath.matches(cookiePath, requestPath);
  }

  /**
   * {@code address} sealed with the ring's active key.
   *
   * @return the value, or null when {@code address} cannot be packed (a host over 255 bytes)
   */
  public static String seal(KeyRing ring, String address, long expires, NonceSource nonces) {
    return SealedValue.seal(ring, address, expires, nonces);
  }

  /** Opens a value sealed with any key of {@code ring}, expired at {@code nowSeconds}. */
  public static SessionValue unseal(KeyRing ring, String value, long nowSeconds) {
    return SealedValue.open(ring, value, nowSeconds);
  }

  /** The key id a sealed value names; null when it names none readably. */
  public static String sealedKeyId(String value) {
    return SealedValue.keyId(value);
  }

  /**
   * The build of priority 0's table alone, the hosts normalised once here: what every endpoint
   * or health change costs, as Envoy's own build benchmarks measure it. For benchmarks.
   */
  public static Supplier<HostTable> tableBuild(TetherConfig config) {
    WeightedHosts weighted = ClusterSnapshot.normalize(config, config.endpoints(), false);
    if (config.loadBalancer() == LoadBalancerType.MAGLEV) {
      int size = (int) config.tableSize();
      return () -> MaglevTable.build(weighted, size);
    }
    long min = config.minimumRingSize();
    long max = config.maximumRingSize();
    return () -> RingHashTable.build(weighted, min, max, config.hashFunction());
  }

  /**
   * Copies of a ring's lookup arrays; null when {@code table} is not a ring. For benchmarks that
   * compare lookups on the very entries the core holds, and tests that compare two rings.
   */
  public static RingEntries ringEntries(HostTable table) {
    return table instanceof RingHashTable ring ? ring.copyEntries() : null;
  }

  /**
   * A ring's entries in ring order and its bucket index.
   *
   * @param hashes each entry's unsigned hash, ascending as unsigned values
   * @param endpoints each entry's endpoint
   * @param bucketStart the first entry of each bucket of the top hash bits, then the length
   * @param bucketShift how far an unsigned hash is shifted right to give its bucket
   */
  public record RingEntries(long[] hashes, Endpoint[] endpoints, int[] bucketStart,
      int bucketShift) {}
}
