package dev.tether.bench;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.LoadBalancerType;
import dev.tether.api.Outcome;
import dev.tether.api.HeaderFields;
import dev.tether.api.RequestView;
import dev.tether.api.TetherConfig;
import dev.tether.core.Inspection;
import java.time.Clock;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole routing decision, {@link Balancer#route}, as a container asks for it per request.
 *
 * <ul>
 *   <li>{@link #headerHash}: {@code hashPolicy=header:x-user}, no sessions; the request carries
 *       one {@code x-user} value, hashed with XXH64 and looked up in the table.
 *   <li>{@link #sessionPinned}: {@code sessionHeader=x-session} as well; the request carries a
 *       valid session value (Base64 of {@code ip:port}) naming a healthy endpoint, so the decision
 *       is {@link Outcome#SESSION} without hashing.
 * </ul>
 *
 * <p>Requests cycle through {@value BenchmarkFixtures#INPUTS} prepared ones with distinct user
 * ids and session targets. The request view is as cheap as a container's can be (one header,
 * values prepared up front), so the numbers are the core's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class DecisionBenchmark {
  @Param({"RING_HASH", "MAGLEV"})
  public LoadBalancerType loadBalancer;

  @Param({"10", "100", "1000"})
  public int endpoints;

  private Balancer hashing;
  private Balancer sessions;
  private RequestView[] userRequests;
  private RequestView[] sessionRequests;
  private int next;

  @Setup
  public void setUp() {
    TetherConfig hashConfig = BenchmarkFixtures.config(loadBalancer, endpoints,
        Map.of("hashPolicy", "header:x-user"));
    TetherConfig sessionConfig = BenchmarkFixtures.config(loadBalancer, endpoints,
        Map.of("hashPolicy", "header:x-user", "sessionHeader", "x-session"));
    // No request here goes unhashed; a constant keeps the random source out of the picture.
    hashing = Tether.balancer(hashConfig, Clock.systemUTC(), () -> 0L);
    sessions = Tether.balancer(sessionConfig, Clock.systemUTC(), () -> 0L);

    SplittableRandom random = new SplittableRandom(0x5e55L);
    List<Endpoint> all = sessionConfig.endpoints();
    userRequests = new RequestView[BenchmarkFixtures.INPUTS];
    sessionRequests = new RequestView[BenchmarkFixtures.INPUTS];
    for (int i = 0; i < BenchmarkFixtures.INPUTS; i++) {
      String user = "user-" + Long.toHexString(random.nextLong());
      userRequests[i] = new OneHeaderRequest("x-user", user);
      String address = all.get(random.nextInt(all.size())).address();
      sessionRequests[i] = new OneHeaderRequest("x-session",
          Inspection.encodeHeaderSession(address));
    }
    expect(hashing.route(userRequests[0]), Outcome.HASH);
    expect(sessions.route(sessionRequests[0]), Outcome.SESSION);
  }

  private static void expect(Decision decision, Outcome outcome) {
    if (decision.outcome() != outcome) {
      throw new IllegalStateException(
          "expected " + outcome + " but got " + decision + ": the benchmark would measure the wrong path");
    }
  }

  @Benchmark
  public Decision headerHash() {
    return hashing.route(userRequests[next++ & BenchmarkFixtures.INPUT_MASK]);
  }

  @Benchmark
  public Decision sessionPinned() {
    return sessions.route(sessionRequests[next++ & BenchmarkFixtures.INPUT_MASK]);
  }

  /** A GET with a single header, as small as a request view gets. */
  static final class OneHeaderRequest implements RequestView {
    private final String name;
    private final List<String> values;

    OneHeaderRequest(String name, String value) {
      this.name = name;
      this.values = List.of(value);
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String pathAndQuery() {
      return "/";
    }

    @Override
    public List<String> headers(String header) {
      return name.equalsIgnoreCase(header) ? values : List.of();
    }

    @Override
    public HeaderFields fields() {
      return new HeaderFields() {
        @Override
        public int size() {
          return values.size();
        }

        @Override
        public String name(int index) {
          return name;
        }

        @Override
        public String value(int index) {
          return values.get(index);
        }
      };
    }

    @Override
    public String authority() {
      return null;
    }

    @Override
    public String scheme() {
      return "http";
    }

    @Override
    public String protocol() {
      return "HTTP/1.1";
    }

    @Override
    public String remoteAddress() {
      return "192.0.2.10";
    }

    @Override
    public int remotePort() {
      return 50000;
    }

    @Override
    public String localAddress() {
      return "192.0.2.1";
    }

    @Override
    public int localPort() {
      return 8080;
    }
  }
}
