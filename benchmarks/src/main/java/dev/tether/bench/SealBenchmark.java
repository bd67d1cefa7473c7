package dev.tether.bench;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.Outcome;
import dev.tether.api.RequestView;
import dev.tether.api.TetherConfig;
import dev.tether.core.Inspection;
import dev.tether.core.KeyRing;
import dev.tether.core.NonceSource;
import dev.tether.core.SessionValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sealed session values: what opening and sealing cost, and what a sealed session adds to a
 * routing decision.
 *
 * <ul>
 *   <li>{@link #open}: {@code SealedValue.open} ({@link Inspection#unseal}) of a valid IPv4 value
 *       (AES-256-GCM decryption and tag check, the packed address printed back);
 *   <li>{@link #seal}: {@code SealedValue.seal} ({@link Inspection#seal}) of an IPv4 address with
 *       the production nonce source (a DRBG per thread); {@link #nonce} is that nonce alone;
 *   <li>{@link #pinnedPlain} and {@link #pinnedSealed}: {@link Balancer#route} of a request
 *       whose header session names one of 100 endpoints, in Envoy's plain format and sealed: the
 *       difference is what sealing adds per request on the proxy's request path.
 * </ul>
 *
 * <p>The key id is 15 characters, as {@code tether keygen} names keys, so the values are the
 * 80-character ones a deployment carries. Inputs cycle through {@value BenchmarkFixtures#INPUTS}
 * prepared values.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SealBenchmark {
  private static final long NOW = 1_767_225_600L;
  private static final int ENDPOINTS = 100;

  private KeyRing ring;
  private NonceSource nonces;
  private String[] addresses;
  private String[] sealed;
  private RequestView[] plainRequests;
  private RequestView[] sealedRequests;
  private Balancer plain;
  private Balancer sealing;
  private Path ringFile;
  /** AES-GCM's 96-bit nonce, as each sealed value draws one. */
  private final byte[] nonce = new byte[12];
  private int next;

  @Setup
  public void setUp() throws Exception {
    SplittableRandom random = new SplittableRandom(0x5ea1L);
    byte[] key = new byte[KeyRing.KEY_BYTES];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) random.nextInt(256);
    }
    String line = "k20261121093012=" + Base64.getEncoder().encodeToString(key);
    ringFile = Files.createTempFile("tether-bench-ring", ".keys");
    Files.writeString(ringFile, line + "\n");
    ring = KeyRing.read(ringFile.toString(), ringFile);
    nonces = NonceSource.secure();

    TetherConfig plainConfig = BenchmarkFixtures.config(LoadBalancerType.RING_HASH, ENDPOINTS,
        Map.of("sessionHeader", "x-session"));
    TetherConfig sealedConfig = BenchmarkFixtures.config(LoadBalancerType.RING_HASH, ENDPOINTS,
        Map.of("sessionHeader", "x-session", "sessionSeal", "sealed",
            "sessionSealKeys", ringFile.toString()));
    plain = Tether.balancer(plainConfig, Clock.systemUTC(), () -> 0L);
    sealing = Tether.balancer(sealedConfig, Clock.systemUTC(), () -> 0L);

    List<Endpoint> all = plainConfig.endpoints();
    addresses = new String[BenchmarkFixtures.INPUTS];
    sealed = new String[BenchmarkFixtures.INPUTS];
    plainRequests = new RequestView[BenchmarkFixtures.INPUTS];
    sealedRequests = new RequestView[BenchmarkFixtures.INPUTS];
    for (int i = 0; i < BenchmarkFixtures.INPUTS; i++) {
      addresses[i] = all.get(random.nextInt(all.size())).address();
      sealed[i] = Inspection.seal(ring, addresses[i], 0, nonces);
      plainRequests[i] = new DecisionBenchmark.OneHeaderRequest("x-session",
          Inspection.encodeHeaderSession(addresses[i]));
      sealedRequests[i] = new DecisionBenchmark.OneHeaderRequest("x-session", sealed[i]);
    }
    if (!addresses[0].equals(Inspection.unseal(ring, sealed[0], NOW).address())
        || sealed[0].length() != 80) {
      throw new IllegalStateException("sealed values do not open, or are not 80 characters");
    }
    expect(plain.route(plainRequests[0]));
    expect(sealing.route(sealedRequests[0]));
  }

  private static void expect(Decision decision) {
    if (decision.outcome() != Outcome.SESSION || decision.renewSession()) {
      throw new IllegalStateException("expected a pinned session without renewal, got " + decision);
    }
  }

  @TearDown
  public void tearDown() {
    plain.close();
    sealing.close();
    try {
      Files.deleteIfExists(ringFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  public SessionValue open() {
    return Inspection.unseal(ring, sealed[next++ & BenchmarkFixtures.INPUT_MASK], NOW);
  }

  @Benchmark
  public String seal() {
    return Inspection.seal(ring, addresses[next++ & BenchmarkFixtures.INPUT_MASK], NOW, nonces);
  }

  @Benchmark
  public byte[] nonce() {
    nonces.next(nonce, 0, nonce.length);
    return nonce;
  }

  @Benchmark
  public Decision pinnedPlain() {
    return plain.route(plainRequests[next++ & BenchmarkFixtures.INPUT_MASK]);
  }

  @Benchmark
  public Decision pinnedSealed() {
    return sealing.route(sealedRequests[next++ & BenchmarkFixtures.INPUT_MASK]);
  }
}
