package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.core.Inspection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code status}, {@code pick --pid}, {@code drain} and {@code undrain} against this test's own
 * JVM, attached to as a container's is (surefire allows attaching to self): real balancers
 * registered in the platform MBean server, read back through the attach API and local JMX.
 */
final class LiveFrontEndTest {
  private static final String SELF = Long.toString(ProcessHandle.current().pid());
  private static final String ENDPOINTS = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";
  private final List<Balancer> balancers = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Balancer balancer(String... keys) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keys.length; i += 2) {
      map.put(keys[i], keys[i + 1]);
    }
    Balancer balancer = Tether.balancer(Tether.parseConfig(map, Path.of("")));
    balancers.add(balancer);
    return balancer;
  }

  @AfterEach
  void close() {
    balancers.forEach(Balancer::close);
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return new TetherCli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
  }

  private List<String> stdout() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Routes {@code n} requests carrying {@code header} and ends each with a 200. */
  private static String send(Balancer balancer, int n, String name, String value) {
    String served = null;
    for (int i = 0; i < n; i++) {
      Decision decision = balancer.route(new CliRequest().header(name, value));
      balancer.requestStarted(decision.endpoint());
      balancer.requestFinished(decision.endpoint(), 200);
      served = decision.endpoint().address();
    }
    return served;
  }

  @Test
  void statusPrintsEveryEndpointWithItsCountsAndShare() {
    Balancer shop = balancer("endpoints", ENDPOINTS, "name", "live-shop", "sessionHeader", "s",
        "loadBalancer", "MAGLEV");
    send(shop, 4, "s", Inspection.encodeHeaderSession("10.0.0.2:80"));
    Decision open = shop.route(new CliRequest().header("s",
        Inspection.encodeHeaderSession("10.0.0.3:80")));
    shop.requestStarted(open.endpoint());

    assertThat(run("status", "--pid", SELF, "--balancer", "live-shop")).as(stderr()).isZero();
    assertThat(stdout()).containsExactly(
        "balancer live-shop (static endpoints): 3 endpoints, 3 healthy, 0 ejected, 0 draining",
        "10.0.0.1:80 health=HEALTHY ejected=false draining=false inFlight=0 requests=0"
            + " pinned=0 entries=21846 share=0.333338",
        "10.0.0.2:80 health=HEALTHY ejected=false draining=false inFlight=0 requests=4"
            + " pinned=4 entries=21846 share=0.333338",
        "10.0.0.3:80 health=HEALTHY ejected=false draining=false inFlight=1 requests=1"
            + " pinned=1 entries=21845 share=0.333323");
    List<String> status = stdout();

    assertThat(run("table", "--endpoints", ENDPOINTS, "--loadBalancer", "MAGLEV")).isZero();
    List<String> table = stdout();
    for (int i = 0; i < table.size(); i++) {
      String[] offline = table.get(i).split(" ");
      assertThat(status.get(i + 1)).as("live and offline tables agree")
          .startsWith(offline[0]).endsWith(" entries=" + offline[1] + " share=" + offline[2]);
    }
  }

  @Test
  void everyBalancerOfTheJvmIsPrintedUnlessOneIsNamed() {
    balancer("endpoints", "10.0.0.1:80", "name", "live-one");
    balancer("endpoints", "10.0.0.2:80", "name", "live-one");
    assertThat(run("status", "--pid", SELF)).as(stderr()).isZero();
    assertThat(stdout()).contains(
        "balancer live-one (static endpoints): 1 endpoints, 1 healthy, 0 ejected, 0 draining",
        "balancer live-one-2 (static endpoints): 1 endpoints, 1 healthy, 0 ejected, 0 draining",
        "");
    assertThat(run("status", "--pid", SELF, "--balancer", "live-none")).isEqualTo(2);
    assertThat(stderr()).startsWith("tether: --balancer: live-none (expected: one of ")
        .contains("live-one, live-one-2");
    assertThat(run("drain", "--pid", SELF, "10.0.0.1:80")).isEqualTo(2);
    assertThat(stderr()).startsWith("tether: --balancer: (missing) (expected: --balancer NAME,"
        + " one of ");
  }

  @Test
  void pickAnswersFromTheLiveEndpointsWithTheOfflineRequestFlags() {
    Balancer shop = balancer("endpoints", ENDPOINTS, "name", "live-pick", "sessionHeader", "s",
        "hashPolicy", "header:user");
    String pinned = Inspection.encodeHeaderSession("10.0.0.3:80");
    assertThat(run("pick", "--pid", SELF, "--balancer", "live-pick", "--header", "s: " + pinned))
        .as(stderr()).isZero();
    assertThat(stdout()).containsExactly("10.0.0.3:80");

    String byUser = send(shop, 1, "user", "alice");
    assertThat(run("pick", "--pid", SELF, "--balancer", "live-pick", "--header", "user: alice",
        "--path", "/cart?id=1", "--method", "POST", "--remote", "192.168.1.2:5000")).isZero();
    assertThat(stdout()).containsExactly(byUser, "s: " + Inspection.encodeHeaderSession(byUser));

    assertThat(run("pick", "--pid", SELF, "--balancer", "live-pick", "--header", "s: " + pinned,
        "--endpoints", "10.0.0.9:80")).isEqualTo(2);
    assertThat(stderr()).startsWith("tether: --endpoints: 10.0.0.9:80 (expected: one of --pid,");
  }

  @Test
  void drainTakesNewSessionsAwayAndUndrainGivesThemBack() {
    Balancer shop = balancer("endpoints", ENDPOINTS, "name", "live-drain", "hashPolicy",
        "header:user");
    String chosen = send(shop, 1, "user", "bob");
    assertThat(run("drain", "--pid", SELF, "--balancer", "live-drain", chosen)).as(stderr())
        .isZero();
    assertThat(stdout()).containsExactly(chosen + " health=DRAINING ejected=false draining=true"
        + " inFlight=0 requests=1 pinned=0 entries=0 share=0.000000");
    assertThat(send(shop, 1, "user", "bob")).isNotEqualTo(chosen);

    assertThat(run("undrain", "--balancer", "live-drain", chosen, "--pid", SELF)).isZero();
    assertThat(stdout()).singleElement().asString()
        .startsWith(chosen + " health=HEALTHY ejected=false draining=false");
    assertThat(send(shop, 1, "user", "bob")).isEqualTo(chosen);

    assertThat(run("drain", "--pid", SELF, "--balancer", "live-drain", "10.0.0.9:80"))
        .isEqualTo(2);
    assertThat(stderr()).isEqualTo("tether: ADDRESS: 10.0.0.9:80 (expected: an endpoint of"
        + " balancer live-drain: 10.0.0.1:80, 10.0.0.2:80, 10.0.0.3:80)\n");
    assertThat(run("drain", "--pid", SELF, "--balancer", "live-drain")).isEqualTo(2);
    assertThat(stderr()).startsWith("tether: ADDRESS:  (expected: exactly one endpoint address");
  }

  @Test
  void aPidThatIsNoTetherFrontEndIsRefusedWithExitTwo() throws Exception {
    Process idle = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Xmx32m", "-cp", System.getProperty("java.class.path"),
        Idle.class.getName()).redirectErrorStream(true).start();
    try {
      // Once it prints, its main runs: the JVM is up and attachable.
      assertThat(new String(idle.getInputStream().readNBytes(4), StandardCharsets.UTF_8))
          .isEqualTo("idle");
      assertThat(run("status", "--pid", Long.toString(idle.pid()))).isEqualTo(2);
      assertThat(stderr()).isEqualTo("tether: PID " + idle.pid()
          + " is not a Tether front end: no dev.tether MBeans\n");
    } finally {
      idle.destroy();
      assertThat(idle.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    long gone = idle.pid();
    assertThat(run("status", "--pid", Long.toString(gone))).isEqualTo(2);
    assertThat(stderr()).isEqualTo("tether: PID " + gone + ": no such process\n");
    assertThat(run("status", "--pid", Long.toString(ProcessHandle.current().parent()
        .orElseThrow().pid()))).isEqualTo(2);
  }
}
