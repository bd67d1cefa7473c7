package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.it.harness.Backend;
import dev.tether.it.harness.Client;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.FreePorts;
import dev.tether.it.harness.Jvm;
import dev.tether.it.harness.Layout;
import dev.tether.it.harness.Poll;
import dev.tether.it.harness.ProbeServer;
import dev.tether.it.harness.PrometheusScrape;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.Reply;
import dev.tether.it.harness.SharedBackends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tether's JMX counters as Prometheus scrapes them: the JMX exporter agent from Maven Central in
 * the container's server JVM, with the rules Tether ships (the Jetty overlay's
 * {@code etc/tether-prometheus.yaml}, the valve's {@code tether-prometheus.yaml} copied into
 * {@code $CATALINA_BASE/conf/}), attached in one of the ways the README shows (each subclass
 * names its container and its way). The scrapes are compared with what the client saw.
 *
 * <p>One configuration: header sessions, balancer {@code name=shop}, outlier detection on
 * ({@code consecutive5xxErrors=5}, {@code maxEjectionPercent=100}), over the shared backends, a
 * fourth backend marked {@code DRAINING} (it serves only the sessions that name it) and a
 * listening probe marked {@code UNHEALTHY} (never connected to). Traffic, in two phases, each
 * followed by a scrape once no request is in flight, compared with the scrape before it:
 *
 * <ol>
 *   <li>{@value #SESSIONS} new sessions, each one request without a session and
 *       {@value #PINNED} carrying it; then {@value #DRAINING_REQUESTS} requests whose session
 *       names the draining backend;
 *   <li>the draining backend killed, {@value #STOPPED_REQUESTS} requests whose session names it:
 *       each a connect failure retried on a live backend, which takes the session; the last makes
 *       five failures in a row, which eject the stopped backend;
 *   <li>circuit breaking ({@code tcp.maxConnections=2}, {@code http.http1MaxPendingRequests=2},
 *       which the sequential phases before never reach): {@value #SLOW_REQUESTS} slow requests at
 *       once, of which four are served and the rest answered 503 overflow at once, counted in
 *       {@code tether_overflow_total}.
 * </ol>
 */
@ExtendWith(SharedBackends.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MetricsScenarios {

  /** How the agent reaches the server JVM; each is one of the README's ways. */
  enum Attachment {
    /**
     * A JVM option: Jetty's {@code java -javaagent:... -jar start.jar} (what {@code jetty.sh}
     * makes of {@code JAVA_OPTIONS}), Tomcat's {@code CATALINA_OPTS} in the environment.
     */
    JVM_OPTION,
    /**
     * Jetty: {@code start.d/tether-prometheus.ini} with {@code --exec} and the
     * {@code -javaagent} line, which start.jar gives to the server JVM it forks.
     */
    JETTY_START_INI,
    /** Tomcat: {@code $CATALINA_BASE/bin/setenv.sh} appends the agent to {@code CATALINA_OPTS}. */
    TOMCAT_SETENV
  }

  static final String BALANCER = "shop";
  static final int SESSIONS = 12;
  static final int PINNED = 4;
  static final int DRAINING_REQUESTS = 3;
  /** As many as {@code consecutive5xxErrors}: the last connect failure ejects the endpoint. */
  static final int STOPPED_REQUESTS = 5;
  static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(30);
  /** Phase 3: requests sent at once, each taking {@link #SLOW_SECONDS} at the backend. */
  static final int SLOW_REQUESTS = 12;
  static final int SLOW_SECONDS = 2;
  /** Envoy's local reply for a request circuit breaking refuses. */
  static final String OVERFLOW =
      "upstream connect error or disconnect/reset before headers. reset reason: overflow";

  static final List<String> ENDPOINT_COUNTERS = List.of(
      "tether_upstream_requests_total", "tether_upstream_connect_failures_total",
      "tether_upstream_5xx_total", "tether_upstream_resets_total",
      "tether_upstream_timeouts_total", "tether_upstream_draining_requests_total",
      "tether_upstream_ejections_total", "tether_upstream_sessions_pinned_total",
      "tether_upstream_sessions_repinned_total");
  static final List<String> ENDPOINT_GAUGES = List.of(
      "tether_endpoint_healthy", "tether_endpoint_ejected", "tether_endpoint_draining",
      "tether_endpoint_failing_health_checks", "tether_endpoint_requests_in_flight",
      "tether_endpoint_open_tunnels", "tether_endpoint_weight", "tether_endpoint_priority");
  static final List<String> BALANCER_COUNTERS = List.of(
      "tether_sessions_pinned_total", "tether_sessions_repinned_total",
      "tether_sessions_invalid_total", "tether_strict_rejections_total",
      "tether_no_healthy_upstream_total", "tether_retries_total", "tether_sessions_sealed_total",
      "tether_sessions_plain_honoured_total", "tether_sessions_renewed_total",
      "tether_overflow_total", "tether_retry_overflow_total");
  static final List<String> BALANCER_GAUGES = List.of(
      "tether_open_tunnels", "tether_endpoints", "tether_endpoints_healthy",
      "tether_endpoints_ejected", "tether_endpoints_draining");

  private final ContainerKind kind;
  private final Attachment attachment;
  private final Client client = new Client();

  private SharedBackends backends;
  private Backend draining;
  private ProbeServer unhealthy;
  private ProxyContainer proxy;
  private URI metrics;
  private List<String> endpoints;

  /** Scrapes: after start, after phase 1, after phase 2. */
  private PrometheusScrape started;
  private PrometheusScrape afterSessions;
  private PrometheusScrape afterStop;
  private PrometheusScrape afterOverflow;
  /** Phase 3: the statuses the slow requests got, and when each overflow answer came. */
  private final Map<Integer, Integer> slowStatuses = new HashMap<>();
  private final List<Duration> overflowTimes = new ArrayList<>();
  /** Requests sent in phase 1, and per endpoint address what answered them and what was pinned. */
  private int sessionPhaseRequests;
  private final Map<String, Integer> answeredInSessions = new HashMap<>();
  private final Map<String, Integer> pinnedInSessions = new HashMap<>();
  /** Phase 2: which live endpoint answered (and took the session of) each request. */
  private final Map<String, Integer> answeredAfterStop = new HashMap<>();

  MetricsScenarios(ContainerKind kind, Attachment attachment) {
    this.kind = kind;
    this.attachment = attachment;
  }

  @BeforeAll
  void startAndSendTraffic(SharedBackends shared) {
    backends = shared;
    draining = Backend.start("draining");
    unhealthy = ProbeServer.start();
    String unhealthyAddress = unhealthy.address();
    endpoints = new ArrayList<>();
    backends.all().forEach(backend -> endpoints.add(backend.address()));
    endpoints.add(draining.address());
    endpoints.add(unhealthyAddress);

    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("endpoints", SharedBackends.endpoints(backends.all()) + "," + draining.address()
        + ";health=DRAINING," + unhealthyAddress + ";health=UNHEALTHY");
    keys.put("sessionHeader", SessionHeader.NAME);
    keys.put("name", BALANCER);
    keys.put("consecutive5xxErrors", Integer.toString(STOPPED_REQUESTS));
    keys.put("maxEjectionPercent", "100");
    keys.put("tcp.maxConnections", "2");
    keys.put("http.http1MaxPendingRequests", "2");

    int metricsPort = FreePorts.next();
    metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
    Map<String, String> baseFiles = new LinkedHashMap<>();
    List<String> jvmOptions = new ArrayList<>();
    attach("127.0.0.1:" + metricsPort, baseFiles, jvmOptions);

    proxy = kind.create();
    proxy.start(keys, baseFiles, jvmOptions);
    started = settledScrape("the first scrape", scrape -> true);

    sendSessions();
    afterSessions = settledScrape("the scrape after the sessions", scrape -> true);

    draining.kill();
    sendToTheStoppedBackend();
    afterStop = settledScrape("the stopped backend ejected", scrape ->
        scrape.value("tether_endpoint_ejected", endpoint(draining.address())) == 1);

    sendSlowRequestsAtOnce();
    afterOverflow = settledScrape("the scrape after the overflow", scrape -> true);
  }

  /** Phase 3: {@link #SLOW_REQUESTS} requests at once, each its own connection. */
  private void sendSlowRequestsAtOnce() {
    ExecutorService clients = Executors.newFixedThreadPool(SLOW_REQUESTS);
    try {
      long start = System.nanoTime();
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < SLOW_REQUESTS; i++) {
        replies.add(clients.submit(() -> {
          Reply reply = client.get(proxy.baseUri(), "/delay/" + SLOW_SECONDS);
          if (reply.status() == 503) {
            synchronized (overflowTimes) {
              overflowTimes.add(Duration.ofNanos(System.nanoTime() - start));
            }
          }
          return reply;
        }));
      }
      for (Future<Reply> future : replies) {
        Reply reply = future.get(SCRAPE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        slowStatuses.merge(reply.status(), 1, Integer::sum);
        if (reply.status() == 503) {
          assertThat(reply.body()).as("%s", reply).isEqualTo(OVERFLOW);
          assertThat(reply.header("content-type")).hasValue("text/plain");
          assertThat(reply.instance()).as("a local reply").isNull();
        } else {
          answeredBy(reply, "a slow request that was admitted");
        }
      }
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new AssertionError("slow requests at once (log " + proxy.log() + ")", e);
    } finally {
      clients.shutdownNow();
    }
  }

  /** Puts the agent where {@link #attachment} says, reading the rules the container ships. */
  private void attach(String hostPort, Map<String, String> baseFiles, List<String> jvmOptions) {
    if (attachment == Attachment.JETTY_START_INI && !kind.isJetty()
        || attachment == Attachment.TOMCAT_SETENV && kind.isJetty()) {
      throw new IllegalArgumentException(attachment + ": not a way for " + kind);
    }
    String agent = "-javaagent:" + Layout.prometheusAgent() + "=" + hostPort + ":";
    if (!kind.isJetty()) {
      try {
        baseFiles.put("conf/tether-prometheus.yaml",
            Files.readString(Layout.tomcatPrometheusRules(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    switch (attachment) {
      // Relative: the base directory is the container's working directory.
      case JVM_OPTION -> jvmOptions.add(agent
          + (kind.isJetty() ? "etc/tether-prometheus.yaml" : "conf/tether-prometheus.yaml"));
      // The forked server JVM gets the ini's JVM lines, not start.jar's: sized here as the rest.
      case JETTY_START_INI -> baseFiles.put("start.d/tether-prometheus.ini", "--exec\n"
          + String.join("\n", Jvm.SMALL) + "\n"
          + agent + "${jetty.base}/etc/tether-prometheus.yaml\n");
      case TOMCAT_SETENV -> baseFiles.put("bin/setenv.sh", "CATALINA_OPTS=\"$CATALINA_OPTS "
          + agent + "$CATALINA_BASE/conf/tether-prometheus.yaml\"\n");
    }
  }

  private void sendSessions() {
    for (int i = 0; i < SESSIONS; i++) {
      Reply first = client.get(proxy.baseUri(), "/hello");
      String address = answeredBy(first, "new session " + i);
      assertThat(first.header(SessionHeader.NAME)).as("new session %d: %s", i, first).isPresent();
      String session = first.header(SessionHeader.NAME).get();
      assertThat(SessionHeader.decode(session)).as("new session %d", i).isEqualTo(address);
      count(answeredInSessions, address);
      sessionPhaseRequests++;
      for (int j = 0; j < PINNED; j++) {
        Reply pinned = client.get(proxy.baseUri(), "/hello", SessionHeader.NAME, session);
        assertThat(answeredBy(pinned, "session " + i)).isEqualTo(address);
        count(answeredInSessions, address);
        count(pinnedInSessions, address);
        sessionPhaseRequests++;
      }
    }
    String toDraining = SessionHeader.of(draining.address());
    for (int i = 0; i < DRAINING_REQUESTS; i++) {
      Reply reply = client.get(proxy.baseUri(), "/hello", SessionHeader.NAME, toDraining);
      assertThat(answeredBy(reply, "session on the draining backend"))
          .isEqualTo(draining.address());
      count(answeredInSessions, draining.address());
      count(pinnedInSessions, draining.address());
      sessionPhaseRequests++;
    }
  }

  private void sendToTheStoppedBackend() {
    String toStopped = SessionHeader.of(draining.address());
    for (int i = 0; i < STOPPED_REQUESTS; i++) {
      Reply reply = client.get(proxy.baseUri(), "/hello", SessionHeader.NAME, toStopped);
      String address = answeredBy(reply, "session on the stopped backend, request " + i);
      assertThat(address).isNotEqualTo(draining.address());
      assertThat(reply.header(SessionHeader.NAME).map(SessionHeader::decode))
          .as("the session moved to the backend that answered").hasValue(address);
      count(answeredAfterStop, address);
    }
  }

  /** The address of the backend that answered {@code reply} with 200. */
  private String answeredBy(Reply reply, String what) {
    assertThat(reply.status()).as("%s: %s (log %s)", what, reply, proxy.log()).isEqualTo(200);
    String instance = reply.instance();
    String address = draining.name().equals(instance)
        ? draining.address()
        : backends.addressByName().get(instance);
    assertThat(address).as("%s: answered by %s, which is no endpoint", what, instance).isNotNull();
    return address;
  }

  private static void count(Map<String, Integer> counts, String address) {
    counts.merge(address, 1, Integer::sum);
  }

  private static int counted(Map<String, Integer> counts, String address) {
    return counts.getOrDefault(address, 0);
  }

  /**
   * Scrapes until every endpoint's family is there, no request is in flight (the in-flight count
   * drops just after the client has its response) and {@code ready} holds.
   */
  private PrometheusScrape settledScrape(String what, Predicate<PrometheusScrape> ready) {
    return Poll.until(what + " from " + metrics + " (log " + proxy.log() + ")", SCRAPE_TIMEOUT,
        () -> {
          PrometheusScrape scrape = PrometheusScrape.fetch(metrics);
          List<PrometheusScrape.Sample> inFlight =
              scrape.samples("tether_endpoint_requests_in_flight");
          if (inFlight.size() != endpoints.size()
              || !inFlight.stream().allMatch(sample -> sample.value() == 0)) {
            throw new IllegalStateException("expected one tether_endpoint_requests_in_flight 0"
                + " for each of " + endpoints + ", scraped " + inFlight);
          }
          return ready.test(scrape) ? Optional.of(scrape) : Optional.empty();
        });
  }

  @AfterAll
  void stopEverything() {
    if (proxy != null) {
      proxy.stop();
    }
    if (draining != null) {
      draining.close();
    }
    if (unhealthy != null) {
      unhealthy.close();
    }
  }

  // ------------------------------------------------------------------------------------------

  @Test
  void everyFamilyIsExportedWithItsTypeLabelsAndHelp() {
    Set<String> addresses = new TreeSet<>(endpoints);
    for (PrometheusScrape scrape : List.of(started, afterSessions, afterStop)) {
      for (String family : all()) {
        boolean counter =
            ENDPOINT_COUNTERS.contains(family) || BALANCER_COUNTERS.contains(family);
        boolean perEndpoint =
            ENDPOINT_COUNTERS.contains(family) || ENDPOINT_GAUGES.contains(family);
        assertThat(scrape.type(family)).as("# TYPE of %s in\n%s", family, scrape.text())
            .hasValue(counter ? "counter" : "gauge");
        assertThat(scrape.help(family)).as("# HELP of %s", family)
            .hasValueSatisfying(help -> assertThat(help).as("the rule's own help")
                .isNotBlank().doesNotStartWith("dev.tether"));
        List<PrometheusScrape.Sample> samples = scrape.samples(family);
        Set<String> seen = new TreeSet<>();
        for (PrometheusScrape.Sample sample : samples) {
          assertThat(sample.labels()).as("labels of %s", sample)
              .containsOnlyKeys(perEndpoint ? Set.of("balancer", "endpoint") : Set.of("balancer"))
              .containsEntry("balancer", BALANCER);
          seen.add(perEndpoint ? sample.labels().get("endpoint") : BALANCER);
          assertThat(sample.value()).as("%s", sample).isNotNegative();
        }
        assertThat(samples).as("samples of %s", family).hasSize(seen.size());
        assertThat(seen).as("%s: one sample per endpoint (ip:port, unquoted)", family)
            .isEqualTo(perEndpoint ? addresses : Set.of(BALANCER));
      }
    }
  }

  @Test
  void requestCountersSumToTheRequestsSent() {
    assertThat(sessionPhaseRequests).isEqualTo(SESSIONS * (1 + PINNED) + DRAINING_REQUESTS);
    assertThat(delta(started, afterSessions, "tether_upstream_requests_total"))
        .as("requests sent with every backend up").isEqualTo(sessionPhaseRequests);
    assertThat(delta(started, afterSessions, "tether_retries_total")).isZero();

    assertThat(delta(afterSessions, afterStop, "tether_retries_total"))
        .as("each request to the stopped backend retried once").isEqualTo(STOPPED_REQUESTS);
    assertThat(delta(afterSessions, afterStop, "tether_upstream_requests_total"))
        .as("attempts: the requests and their retries").isEqualTo(2 * STOPPED_REQUESTS);
  }

  @Test
  void circuitBreakingServesFourOfTwelveAndCountsTheEightOverflows() {
    assertThat(slowStatuses).as("two served at once, two after waiting, the rest refused")
        .containsOnly(Map.entry(200, 4), Map.entry(503, SLOW_REQUESTS - 4));
    assertThat(overflowTimes).as("the overflow answers come at once, not after the backend's %ds",
        SLOW_SECONDS).allMatch(took -> took.compareTo(Duration.ofMillis(SLOW_SECONDS * 750L)) < 0);
    assertThat(delta(afterStop, afterOverflow, "tether_overflow_total"))
        .isEqualTo(SLOW_REQUESTS - 4);
    assertThat(delta(started, afterStop, "tether_overflow_total"))
        .as("sequential traffic never reaches the limits").isZero();
    assertThat(afterOverflow.value("tether_retry_overflow_total", balancer())).isZero();
    assertThat(delta(afterStop, afterOverflow, "tether_upstream_requests_total"))
        .as("only the admitted reach a backend").isEqualTo(4);
  }

  @Test
  void eachEndpointCountsWhatItsBackendAnswered() {
    for (String address : endpoints) {
      assertThat(delta(started, afterSessions, "tether_upstream_requests_total", address))
          .as("requests to %s with every backend up", address)
          .isEqualTo(counted(answeredInSessions, address));
      int attempts = address.equals(draining.address())
          ? STOPPED_REQUESTS
          : counted(answeredAfterStop, address);
      assertThat(delta(afterSessions, afterStop, "tether_upstream_requests_total", address))
          .as("attempts on %s after the draining backend stopped", address).isEqualTo(attempts);
      assertThat(delta(started, afterStop, "tether_upstream_5xx_total", address)).isZero();
    }
    assertThat(counted(answeredInSessions, draining.address())).isEqualTo(DRAINING_REQUESTS);
    assertThat(unhealthy.connections()).as("connections to the UNHEALTHY endpoint").isZero();
  }

  @Test
  void pinnedSessionsAreCountedPerBalancerAndPerEndpoint() {
    assertThat(delta(started, afterSessions, "tether_sessions_pinned_total"))
        .isEqualTo(SESSIONS * PINNED + DRAINING_REQUESTS);
    for (String address : endpoints) {
      assertThat(delta(started, afterSessions, "tether_upstream_sessions_pinned_total", address))
          .as("sessions pinned to %s", address)
          .isEqualTo(counted(pinnedInSessions, address));
      assertThat(delta(started, afterSessions, "tether_upstream_draining_requests_total", address))
          .as("requests while %s was draining", address)
          .isEqualTo(address.equals(draining.address()) ? DRAINING_REQUESTS : 0);
    }
    assertThat(delta(started, afterSessions, "tether_sessions_repinned_total")).isZero();
    assertThat(delta(started, afterStop, "tether_sessions_invalid_total")).isZero();
    assertThat(delta(started, afterStop, "tether_strict_rejections_total")).isZero();
    assertThat(delta(started, afterStop, "tether_no_healthy_upstream_total")).isZero();
  }

  @Test
  void aStoppedBackendShowsUpInConnectFailuresAndIsEjected() {
    for (String address : endpoints) {
      assertThat(delta(afterSessions, afterStop, "tether_upstream_connect_failures_total", address))
          .as("connect failures of %s", address)
          .isEqualTo(address.equals(draining.address()) ? STOPPED_REQUESTS : 0);
      assertThat(
          delta(afterSessions, afterStop, "tether_upstream_sessions_repinned_total", address))
          .as("sessions moved to %s", address)
          .isEqualTo(counted(answeredAfterStop, address));
    }
    assertThat(delta(started, afterSessions, "tether_upstream_connect_failures_total")).isZero();
    assertThat(delta(afterSessions, afterStop, "tether_sessions_repinned_total"))
        .isEqualTo(STOPPED_REQUESTS);
    // Each named a current endpoint that may take sessions when it was routed.
    assertThat(delta(afterSessions, afterStop, "tether_sessions_pinned_total"))
        .isEqualTo(STOPPED_REQUESTS);

    Map<String, String> stopped = endpoint(draining.address());
    assertThat(afterStop.value("tether_endpoint_ejected", stopped)).isEqualTo(1);
    assertThat(afterStop.value("tether_endpoint_healthy", stopped)).isZero();
    assertThat(delta(afterSessions, afterStop, "tether_upstream_ejections_total",
        draining.address())).isEqualTo(1);
    assertThat(afterStop.value("tether_endpoints_ejected", balancer())).isEqualTo(1);
    assertThat(afterStop.sum("tether_endpoint_ejected")).isEqualTo(1);
  }

  @Test
  void gaugesShowEachEndpointsState() {
    String unhealthyAddress = endpoints.get(endpoints.size() - 1);
    for (String address : endpoints) {
      boolean shared = !address.equals(draining.address()) && !address.equals(unhealthyAddress);
      Map<String, String> labels = endpoint(address);
      assertThat(afterSessions.value("tether_endpoint_healthy", labels))
          .as("%s healthy", address).isEqualTo(shared ? 1 : 0);
      assertThat(afterSessions.value("tether_endpoint_draining", labels))
          .as("%s draining", address).isEqualTo(address.equals(draining.address()) ? 1 : 0);
      assertThat(afterSessions.value("tether_endpoint_ejected", labels)).isZero();
      assertThat(afterSessions.value("tether_endpoint_failing_health_checks", labels)).isZero();
      assertThat(afterSessions.value("tether_endpoint_open_tunnels", labels)).isZero();
      assertThat(afterSessions.value("tether_endpoint_weight", labels)).isEqualTo(1);
      assertThat(afterSessions.value("tether_endpoint_priority", labels)).isZero();
    }
    assertThat(afterSessions.value("tether_endpoints", balancer())).isEqualTo(endpoints.size());
    assertThat(afterSessions.value("tether_endpoints_healthy", balancer()))
        .isEqualTo(backends.all().size())
        .isEqualTo(afterSessions.sum("tether_endpoint_healthy"));
    assertThat(afterSessions.value("tether_endpoints_draining", balancer())).isEqualTo(1);
    assertThat(afterSessions.value("tether_endpoints_ejected", balancer())).isZero();
    assertThat(afterSessions.value("tether_open_tunnels", balancer())).isZero();
  }

  // ------------------------------------------------------------------------------------------

  private static List<String> all() {
    List<String> all = new ArrayList<>(ENDPOINT_COUNTERS);
    all.addAll(ENDPOINT_GAUGES);
    all.addAll(BALANCER_COUNTERS);
    all.addAll(BALANCER_GAUGES);
    return all;
  }

  private static Map<String, String> balancer() {
    return Map.of("balancer", BALANCER);
  }

  private static Map<String, String> endpoint(String address) {
    return Map.of("balancer", BALANCER, "endpoint", address);
  }

  /** How much the sum of {@code family} grew from {@code before} to {@code after}. */
  private static long delta(PrometheusScrape before, PrometheusScrape after, String family) {
    return Math.round(after.sum(family) - before.sum(family));
  }

  /** How much {@code family} of endpoint {@code address} grew between the two scrapes. */
  private static long delta(PrometheusScrape before, PrometheusScrape after, String family,
      String address) {
    return Math.round(after.value(family, endpoint(address))
        - before.value(family, endpoint(address)));
  }
}
