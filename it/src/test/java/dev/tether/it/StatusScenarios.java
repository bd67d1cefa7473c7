package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tether.it.harness.Backend;
import dev.tether.it.harness.Client;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.Poll;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.Reply;
import dev.tether.it.harness.SharedBackends;
import dev.tether.it.harness.TetherCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code tether status}, {@code pick --pid}, {@code drain} and {@code undrain}, each run as
 * {@code java -jar cli/target/tether-cli.jar} in a process of its own against the server JVM of
 * a real container (each subclass names one), and compared with what the client saw.
 *
 * <p>One configuration: header sessions, a hash on header {@value #USER} for requests without a
 * session, balancer {@code name=shop}, over the shared backends. Before the tests, {@value
 * #SESSIONS} sessions of one request without a session and {@value #PINNED} carrying it, with a
 * status before and after.
 */
@ExtendWith(SharedBackends.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StatusScenarios {

  static final String BALANCER = "shop";
  static final String USER = "x-user";
  static final int SESSIONS = 9;
  static final int PINNED = 3;
  static final Duration SETTLE = Duration.ofSeconds(60);

  private final ContainerKind kind;
  private final Client client = new Client();

  private SharedBackends backends;
  private ProxyContainer proxy;
  private String pid;

  private List<String> before;
  private List<String> after;
  private final Map<String, Integer> answered = new HashMap<>();
  private final Map<String, Integer> pinned = new HashMap<>();

  StatusScenarios(ContainerKind kind) {
    this.kind = kind;
  }

  @BeforeAll
  void startAndSendSessions(SharedBackends shared) {
    backends = shared;
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("endpoints", backends.endpoints());
    keys.put("sessionHeader", SessionHeader.NAME);
    keys.put("hashPolicy", "header:" + USER);
    keys.put("name", BALANCER);
    proxy = kind.create();
    proxy.start(keys);
    pid = Long.toString(proxy.serverPid());

    before = settledStatus();
    for (int i = 0; i < SESSIONS; i++) {
      Reply first = client.get(proxy.baseUri(), "/hello");
      String address = answeredBy(first, "new session " + i);
      assertThat(first.header(SessionHeader.NAME)).as("new session %d: %s", i, first).isPresent();
      String session = first.header(SessionHeader.NAME).get();
      count(answered, address);
      for (int j = 0; j < PINNED; j++) {
        Reply reply = client.get(proxy.baseUri(), "/hello", SessionHeader.NAME, session);
        assertThat(answeredBy(reply, "session " + i)).isEqualTo(address);
        count(answered, address);
        count(pinned, address);
      }
    }
    after = settledStatus();
  }

  @AfterAll
  void stop() {
    if (proxy != null) {
      proxy.stop();
    }
  }

  /** Runs {@code tether status --pid} until no request is in flight any more. */
  private List<String> settledStatus() {
    return Poll.until("tether status --pid " + pid + " with nothing in flight (log "
        + proxy.log() + ")", SETTLE, () -> {
          TetherCommand.Result status = TetherCommand.run("status", "--pid", pid);
          if (status.exit() != 0) {
            throw new Poll.Fatal("tether status --pid " + pid + ": " + status);
          }
          boolean settled = status.stdout().size() == 1 + backends.all().size()
              && status.stdout().stream().skip(1).allMatch(line -> line.contains(" inFlight=0 "));
          return settled ? Optional.of(status.stdout()) : Optional.empty();
        });
  }

  private String answeredBy(Reply reply, String what) {
    assertThat(reply.status()).as("%s: %s (log %s)", what, reply, proxy.log()).isEqualTo(200);
    String address = backends.addressByName().get(reply.instance());
    assertThat(address).as("%s: answered by %s", what, reply.instance()).isNotNull();
    return address;
  }

  private static void count(Map<String, Integer> counts, String address) {
    counts.merge(address, 1, Integer::sum);
  }

  /** The {@code key=value} fields of one endpoint line, the address under {@code address}. */
  private static Map<String, String> fields(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    String[] words = line.split(" ");
    fields.put("address", words[0]);
    for (int i = 1; i < words.length; i++) {
      int equals = words[i].indexOf('=');
      fields.put(words[i].substring(0, equals), words[i].substring(equals + 1));
    }
    return fields;
  }

  private static Map<String, String> line(List<String> status, String address) {
    for (String line : status.subList(1, status.size())) {
      if (line.startsWith(address + " ")) {
        return fields(line);
      }
    }
    throw new AssertionError(address + " not in " + status);
  }

  private static long number(Map<String, String> fields, String key) {
    return Long.parseLong(fields.get(key));
  }

  private TetherCommand.Result tether(String... args) {
    TetherCommand.Result result = TetherCommand.run(args);
    assertThat(result.exit()).as("tether %s: %s", String.join(" ", args), result).isZero();
    return result;
  }

  /** {@code pick --pid} for a request with a {@value #USER} header and no session. */
  private List<String> pick(String user) {
    return tether("pick", "--pid", pid, "--header", USER + ": " + user, "--path", "/hello")
        .stdout();
  }

  private String routed(String user) {
    Reply reply = client.get(proxy.baseUri(), "/hello", USER, user);
    String address = answeredBy(reply, "user " + user);
    assertThat(reply.header(SessionHeader.NAME).map(SessionHeader::decode))
        .as("the new session of user %s", user).hasValue(address);
    return address;
  }

  // ------------------------------------------------------------------------------------------

  @Test
  void statusListsEveryEndpointInOrderWithTheRequestsAndPinnedSessionsSent() {
    List<Backend> all = backends.all();
    assertThat(after.get(0)).isEqualTo("balancer " + BALANCER + " (static endpoints): "
        + all.size() + " endpoints, " + all.size() + " healthy, 0 ejected, 0 draining");
    double share = 0;
    for (int i = 0; i < all.size(); i++) {
      String address = all.get(i).address();
      Map<String, String> now = fields(after.get(i + 1));
      Map<String, String> then = fields(before.get(i + 1));
      assertThat(now.get("address")).as("line %d", i + 1).isEqualTo(address);
      assertThat(now).containsEntry("health", "HEALTHY").containsEntry("ejected", "false")
          .containsEntry("draining", "false").containsEntry("inFlight", "0");
      assertThat(number(now, "requests") - number(then, "requests"))
          .as("requests to %s", address).isEqualTo((long) answered.getOrDefault(address, 0));
      assertThat(number(now, "pinned") - number(then, "pinned"))
          .as("pinned sessions of %s", address).isEqualTo((long) pinned.getOrDefault(address, 0));
      share += Double.parseDouble(now.get("share"));
    }
    assertThat(answered.values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(SESSIONS * (1 + PINNED));
    assertThat(share).as("shares of the ring").isCloseTo(1.0, within(0.00001));
  }

  @Test
  void statusShowsTheTableTheOfflineCommandBuildsForTheSameEndpoints() {
    List<String> table = tether("table", "--endpoints", backends.endpoints()).stdout();
    assertThat(table).hasSize(backends.all().size());
    for (int i = 0; i < table.size(); i++) {
      String[] offline = table.get(i).split(" ");
      assertThat(after.get(i + 1)).startsWith(offline[0] + " ")
          .endsWith(" entries=" + offline[1] + " share=" + offline[2]);
    }
  }

  @Test
  void pickAgreesWithWhereTheFrontEndRoutes() {
    for (int i = 0; i < 6; i++) {
      String user = "user-" + i;
      String address = routed(user);
      assertThat(pick(user)).as("pick for %s", user)
          .containsExactly(address, SessionHeader.NAME + ": " + SessionHeader.of(address));
    }
    for (Backend backend : backends.all()) {
      assertThat(tether("pick", "--pid", pid, "--balancer", BALANCER, "--header",
          SessionHeader.NAME + ": " + SessionHeader.of(backend.address())).stdout())
          .as("a session naming %s", backend).containsExactly(backend.address());
    }
  }

  @Test
  void aDrainedEndpointKeepsItsSessionsAndTakesNoNewOnes() {
    String user = "drained-user";
    String target = routed(user);
    try {
      List<String> drained = tether("drain", "--pid", pid, target).stdout();
      assertThat(drained).singleElement().asString()
          .startsWith(target + " health=DRAINING ejected=false draining=true ")
          .endsWith(" entries=0 share=0.000000");

      String moved = routed(user);
      assertThat(moved).as("a new session of %s while %s drains", user, target)
          .isNotEqualTo(target);
      assertThat(pick(user)).first().isEqualTo(moved);
      for (int i = 0; i < 5; i++) {
        assertThat(routed("new-user-" + i)).as("new session %d", i).isNotEqualTo(target);
      }
      Reply kept = client.get(proxy.baseUri(), "/hello", SessionHeader.NAME,
          SessionHeader.of(target));
      assertThat(answeredBy(kept, "a session naming the draining endpoint")).isEqualTo(target);

      List<String> status = tether("status", "--pid", pid, "--balancer", BALANCER).stdout();
      assertThat(status.get(0)).endsWith(", " + (backends.all().size() - 1)
          + " healthy, 0 ejected, 1 draining");
      assertThat(line(status, target)).containsEntry("health", "DRAINING")
          .containsEntry("draining", "true");
    } finally {
      List<String> undrained = tether("undrain", "--pid", pid, target).stdout();
      assertThat(undrained).singleElement().asString()
          .startsWith(target + " health=HEALTHY ejected=false draining=false ");
    }
    assertThat(routed(user)).as("%s once %s no longer drains", user, target).isEqualTo(target);
  }

  @Test
  void anAddressThatIsNoEndpointIsRefused() {
    TetherCommand.Result result = TetherCommand.run("drain", "--pid", pid, "127.0.0.1:1");
    assertThat(result.exit()).as("%s", result).isEqualTo(2);
    assertThat(result.stdout()).isEmpty();
    List<String> addresses = new ArrayList<>();
    backends.all().forEach(backend -> addresses.add(backend.address()));
    assertThat(result.stderr()).isEqualTo("tether: ADDRESS: 127.0.0.1:1 (expected: an endpoint"
        + " of balancer " + BALANCER + ": " + String.join(", ", addresses) + ")\n");

    TetherCommand.Result unknown = TetherCommand.run("status", "--pid", pid, "--balanser", "x");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.stderr()).isEqualTo("tether: --balanser: x (expected: one of --pid,"
        + " --balancer; did you mean --balancer?)\n");
  }
}
