package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.it.harness.Client;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.Layout;
import dev.tether.it.harness.Poll;
import dev.tether.it.harness.ProbeServer;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.Reply;
import dev.tether.it.harness.SharedBackends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sealed session values (issue 11) on a real container: run by every container subclass of
 * {@link AffinityScenarios} as its nested {@code SealedSessions} group. Four configurations over
 * the shared backends, each started once on first use: header and cookie sessions in
 * {@code sealed} mode and in {@code migrate} mode, all with a key ring that the container reads
 * from its base directory by a relative path; the rotation scenario starts its own container
 * with a ring the test rewrites while requests flow.
 *
 * <p>Values are opened and forged with {@link SealedSession}, the test's own implementation of
 * the documented format.
 */
abstract class SealedSessionScenarios {

  static final String KEYS_FILE = "etc/tether-session-keys";
  static final SealedSession.Ring RING = SealedSession.Ring.of("blue-1", 101);
  static final long COOKIE_TTL_SECONDS = 3600;
  static final long SEAL_TTL_SECONDS = 7200;
  /** {@code override-host="<sealed value>"; Max-Age=3600; Path=/; HttpOnly}. */
  static final Pattern SEALED_SET_COOKIE = Pattern.compile(Pattern.quote(SessionCookie.NAME)
      + "=\"([A-Za-z0-9_-]+)\"; Max-Age=" + COOKIE_TTL_SECONDS + "; Path=/; HttpOnly");

  private final ContainerKind kind;
  private final Supplier<SharedBackends> backends;
  private final Client client = new Client();
  private final Map<String, Object> configured = new LinkedHashMap<>();

  SealedSessionScenarios(ContainerKind kind, Supplier<SharedBackends> backends) {
    this.kind = kind;
    this.backends = backends;
  }

  @AfterAll
  void stopContainers() {
    configured.values().stream()
        .filter(ProxyContainer.class::isInstance)
        .map(ProxyContainer.class::cast)
        .forEach(ProxyContainer::stop);
  }

  private synchronized ProxyContainer container(String name, Map<String, String> keys) {
    Object entry = configured.computeIfAbsent(name, n -> {
      ProxyContainer container = kind.create();
      try {
        container.start(keys, Map.of(KEYS_FILE, RING.file()));
        return container;
      } catch (RuntimeException | Error e) {
        return e;
      }
    });
    if (entry instanceof Throwable e) {
      throw new IllegalStateException(kind + " with configuration " + name + " did not start", e);
    }
    return (ProxyContainer) entry;
  }

  private ProxyContainer headers(String mode) {
    return container(mode + "-header", Map.of(
        "endpoints", backends.get().endpoints(),
        "sessionHeader", SessionHeader.NAME,
        "sessionSeal", mode,
        "sessionSealKeys", KEYS_FILE));
  }

  private ProxyContainer cookies(String mode) {
    Map<String, String> keys = new LinkedHashMap<>(Map.of(
        "endpoints", backends.get().endpoints(),
        "sessionCookie", SessionCookie.NAME,
        "sessionCookieTtl", COOKIE_TTL_SECONDS + "s",
        "sessionSeal", mode,
        "sessionSealKeys", KEYS_FILE));
    if (mode.equals("sealed")) {
      keys.put("sessionSealTtl", SEAL_TTL_SECONDS + "s");
    }
    return container(mode + "-cookie", keys);
  }

  private Reply get(ProxyContainer proxy, String... headers) {
    return client.get(proxy.baseUri(), "/hello", headers);
  }

  private Reply withCookie(ProxyContainer proxy, String value) {
    return get(proxy, "Cookie", "theme=dark; " + SessionCookie.NAME + "=" + value);
  }

  private String addressOf(Reply reply) {
    assertThat(reply.status()).as("status (%s)", reply).isEqualTo(200);
    String address = backends.get().addressByName().get(reply.instance());
    assertThat(address).as("answered by a shared backend (%s)", reply).isNotNull();
    return address;
  }

  /** The response's session header: sealed with the ring's key, naming the backend that answered. */
  private String assertSealedHeaderNamesAnsweringBackend(Reply reply, String what) {
    String address = addressOf(reply);
    Optional<String> header = reply.header(SessionHeader.NAME);
    assertThat(header).as("%s: a session header", what).isPresent();
    SealedSession.State state = SealedSession.open(header.get(), RING);
    assertThat(state.address()).as("%s: sealed address", what).isEqualTo(address);
    assertThat(state.keyId()).isEqualTo("blue-1");
    assertThat(header.get()).as("not Envoy's plain value").isNotEqualTo(SessionHeader.of(address));
    return header.get();
  }

  /** A sealed session cookie a response set: its value, and what it opens to. */
  record SealedCookie(String value, SealedSession.State state) {}

  /** The response's session cookie: sealed, naming the backend that answered. */
  private SealedCookie assertSealedCookieNamesAnsweringBackend(Reply reply, String what) {
    String address = addressOf(reply);
    List<String> setCookies = reply.setCookies(SessionCookie.NAME);
    assertThat(setCookies).as("%s: one session cookie (%s)", what, reply).hasSize(1);
    Matcher matcher = SEALED_SET_COOKIE.matcher(setCookies.get(0));
    assertThat(matcher.matches()).as("%s: %s matches %s", what, setCookies.get(0),
        SEALED_SET_COOKIE).isTrue();
    SealedSession.State state = SealedSession.open(matcher.group(1), RING);
    assertThat(state.address()).as("%s: sealed address", what).isEqualTo(address);
    return new SealedCookie(matcher.group(1), state);
  }

  @Test
  void sealedHeaderSessionsNameTheBackendOnlyInsideTheSealAndPin() {
    ProxyContainer proxy = headers("sealed");
    Reply first = get(proxy);
    String value = assertSealedHeaderNamesAnsweringBackend(first, "first response");
    assertThat(value.length()).as("an IPv4 value").isLessThanOrEqualTo(100);
    assertThat(SealedSession.open(value, RING).expires()).as("no sessionSealTtl").isZero();

    for (int i = 0; i < AffinityScenarios.PINNED_REQUESTS; i++) {
      Reply reply = get(proxy, SessionHeader.NAME, value);
      assertThat(reply.instance()).as("request %d", i).isEqualTo(first.instance());
      assertThat(reply.header(SessionHeader.NAME)).as("nothing new to write").isEmpty();
    }
  }

  @Test
  void sealedCookieSessionsCarryTheSealedExpiryAndPin() {
    ProxyContainer proxy = cookies("sealed");
    long now = System.currentTimeMillis() / 1000;
    Reply first = get(proxy);
    SealedCookie cookie = assertSealedCookieNamesAnsweringBackend(first, "first response");
    assertThat(cookie.state().expires()).as("sessionSealTtl, not the cookie's Max-Age")
        .isBetween(now + SEAL_TTL_SECONDS - 120, now + SEAL_TTL_SECONDS + 120);
    String instance = first.instance();

    for (int i = 0; i < AffinityScenarios.PINNED_REQUESTS; i++) {
      Reply reply = withCookie(proxy, "\"" + cookie.value() + "\"");
      assertThat(reply.instance()).as("request %d", i).isEqualTo(instance);
      assertThat(reply.setCookies(SessionCookie.NAME)).as("nothing new to write").isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"header", "cookie"})
  void envoysPlainValuesAreNoSessionInSealedMode(String where) {
    for (var backend : backends.get().all()) {
      if (where.equals("header")) {
        Reply reply = get(headers("sealed"), SessionHeader.NAME, SessionHeader.of(backend.address()));
        assertSealedHeaderNamesAnsweringBackend(reply, "Envoy header naming " + backend);
      } else {
        long inAnHour = System.currentTimeMillis() / 1000 + 3600;
        Reply reply = withCookie(cookies("sealed"), SessionCookie.of(backend.address(), inAnHour));
        assertSealedCookieNamesAnsweringBackend(reply, "Envoy cookie naming " + backend);
      }
    }
  }

  @Test
  void tamperedForeignExpiredAndStrangerValuesAreNoSessionAndNeverConnected() {
    ProxyContainer proxy = headers("sealed");
    String b1 = backends.get().byName("b1").address();
    String genuine = assertSealedHeaderNamesAnsweringBackend(get(proxy), "genuine");
    char last = genuine.charAt(genuine.length() - 10);
    String tampered = genuine.substring(0, genuine.length() - 10) + (last == 'A' ? 'B' : 'A')
        + genuine.substring(genuine.length() - 9);
    try (ProbeServer probe = ProbeServer.start()) {
      Map<String, String> values = new LinkedHashMap<>();
      values.put("one character changed", tampered);
      values.put("another ring's key of the same id, naming b1",
          SealedSession.seal(b1, 0, SealedSession.Ring.of("blue-1", 666), 1));
      values.put("another ring's key of the same id, naming the probe",
          SealedSession.seal(probe.address(), 0, SealedSession.Ring.of("blue-1", 666), 2));
      values.put("the ring's key, naming the probe (not an endpoint)",
          SealedSession.seal(probe.address(), 0, RING, 3));
      values.put("expired", SealedSession.seal(b1, 1, RING, 4));
      values.put("a key id the ring does not have",
          SealedSession.seal(b1, 0, SealedSession.Ring.of("green", 101), 5));
      values.put("truncated", genuine.substring(0, genuine.length() - 4));
      values.put("Envoy's value of the probe", SessionHeader.of(probe.address()));
      values.put("standard Base64 with padding", SessionHeader.of(b1 + "/x"));
      values.put("empty", "");
      for (Map.Entry<String, String> value : values.entrySet()) {
        Reply reply = get(proxy, SessionHeader.NAME, value.getValue());
        assertSealedHeaderNamesAnsweringBackend(reply, value.getKey() + ": " + value.getValue());
      }
      assertThat(probe.connections()).as("connections to %s", probe.address()).isZero();
    }
  }

  @Test
  void migrateHonoursEnvoysHeaderValuesAndReissuesThemSealed() {
    ProxyContainer proxy = headers("migrate");
    for (var backend : backends.get().all()) {
      Reply plain = get(proxy, SessionHeader.NAME, SessionHeader.of(backend.address()));
      assertThat(plain.instance()).as("Envoy's header naming %s", backend).isEqualTo(backend.name());
      String sealed = assertSealedHeaderNamesAnsweringBackend(plain, "re-issued " + backend);

      Reply next = get(proxy, SessionHeader.NAME, sealed);
      assertThat(next.instance()).isEqualTo(backend.name());
      assertThat(next.header(SessionHeader.NAME)).as("sealed already: nothing to write").isEmpty();
    }
  }

  @Test
  void migrateHonoursEnvoysCookiesAndReissuesThemSealed() {
    ProxyContainer proxy = cookies("migrate");
    long now = System.currentTimeMillis() / 1000;
    for (var backend : backends.get().all()) {
      for (String envoy : List.of(SessionCookie.of(backend.address(), now + COOKIE_TTL_SECONDS),
          "\"" + SessionCookie.of(backend.address(), 0) + "\"")) {
        Reply plain = withCookie(proxy, envoy);
        assertThat(plain.instance()).as("Envoy's cookie %s naming %s", envoy, backend)
            .isEqualTo(backend.name());
        SealedCookie sealed = assertSealedCookieNamesAnsweringBackend(plain, "re-issued " + backend);
        assertThat(sealed.state().expires()).as("the cookie's lifetime, sealed")
            .isBetween(now + COOKIE_TTL_SECONDS - 120, now + COOKIE_TTL_SECONDS + 120);

        Reply next = withCookie(proxy, "\"" + sealed.value() + "\"");
        assertThat(next.instance()).isEqualTo(backend.name());
        assertThat(next.setCookies(SessionCookie.NAME)).isEmpty();
      }
    }
  }

  @Test
  void aBrokenRingStopsTheContainerNamingTheKeyTheFileAndTheLine() {
    try (ProxyContainer proxy = kind.create()) {
      assertThatThrownBy(() -> proxy.start(Map.of(
          "endpoints", backends.get().endpoints(),
          "sessionHeader", SessionHeader.NAME,
          "sessionSeal", "sealed",
          "sessionSealKeys", KEYS_FILE), Map.of(KEYS_FILE, RING.file() + "red=c2hvcnQ=\n")))
          .hasMessageContaining("sessionSealKeys: " + KEYS_FILE + " (expected:")
          .hasMessageContaining("tether-session-keys: line 3: key red is 5 bytes");
    }
  }

  /**
   * The key ring goes A, then B,A, then B while two clients keep twelve sessions busy and take
   * every value a response carries, as a browser does. Every request must reach its session's
   * backend throughout; after B,A every session is re-sealed with B; after B a value sealed with A
   * is no session, and the twelve sessions still hold.
   */
  @Test
  void rotationUnderTrafficLosesNoSession() throws Exception {
    SealedSession.Ring ringA = SealedSession.Ring.of("A", 1);
    SealedSession.Ring ringBA = SealedSession.Ring.of("B", 2, "A", 1);
    SealedSession.Ring ringB = SealedSession.Ring.of("B", 2);
    Path ringFile = Layout.newRunDir("rotation-ring").resolve("keys");
    replace(ringFile, ringA.file());
    try (ProxyContainer proxy = kind.create()) {
      proxy.start(Map.of(
          "endpoints", backends.get().endpoints(),
          "sessionHeader", SessionHeader.NAME,
          "sessionSeal", "sealed",
          "sessionSealKeys", ringFile.toString(),
          "fileRefreshRate", "200ms"));
      int sessions = 12;
      String[] expected = new String[sessions];
      String[] values = new String[sessions];
      for (int s = 0; s < sessions; s++) {
        Reply first = get(proxy);
        expected[s] = first.instance();
        values[s] = first.header(SessionHeader.NAME).orElseThrow();
        assertThat(SealedSession.open(values[s], ringA).keyId()).isEqualTo("A");
      }
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger requests = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService clients = Executors.newFixedThreadPool(2);
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        int client = c;
        running.add(clients.submit(() -> {
          while (!stop.get() && failures.size() < 20) {
            for (int s = client; s < sessions; s += 2) {
              String value;
              synchronized (values) {
                value = values[s];
              }
              try {
                Reply reply = get(proxy, SessionHeader.NAME, value);
                requests.incrementAndGet();
                if (reply.status() != 200 || !expected[s].equals(reply.instance())) {
                  failures.add("session " + s + " on " + expected[s] + ": " + reply);
                  continue;
                }
                Optional<String> renewed = reply.header(SessionHeader.NAME);
                if (renewed.isPresent()) {
                  SealedSession.State state = SealedSession.open(renewed.get(), ringBA);
                  if (!state.address().equals(backends.get().addressByName().get(expected[s]))) {
                    failures.add("session " + s + " re-sealed for " + state.address());
                  }
                  synchronized (values) {
                    values[s] = renewed.get();
                  }
                }
              } catch (RuntimeException e) {
                failures.add("session " + s + ": " + e);
              }
            }
          }
        }));
      }
      try {
        replace(ringFile, ringBA.file());
        Poll.until("every session re-sealed with B", Duration.ofSeconds(60), () -> {
          assertThat(failures).isEmpty();
          synchronized (values) {
            for (String value : values) {
              if (!SealedSession.keyId(value).equals("B")) {
                return Optional.empty();
              }
            }
          }
          return Optional.of(true);
        });

        String b1 = backends.get().byName("b1").address();
        String sealedByA = SealedSession.seal(b1, 0, ringA, 7);
        replace(ringFile, ringB.file());
        Poll.until("a value sealed with A is no session", Duration.ofSeconds(60), () -> {
          Reply reply = get(proxy, SessionHeader.NAME, sealedByA);
          // Under B,A it is honoured (always b1); under B alone it is balanced like no session.
          return reply.status() == 200 && !"b1".equals(reply.instance())
              ? Optional.of(reply) : Optional.empty();
        });
        int after = requests.get();
        Poll.until("60 more requests under ring B", Duration.ofSeconds(60),
            () -> requests.get() >= after + 60 ? Optional.of(true) : Optional.empty());
      } finally {
        stop.set(true);
        for (Future<?> client : running) {
          client.get(1, TimeUnit.MINUTES);
        }
        clients.shutdownNow();
      }
      System.out.printf("%s rotation A -> B,A -> B: %d requests on %d sessions, none lost%n",
          proxy.label(), requests.get(), sessions);
      assertThat(failures).as("requests that lost their session (log %s)", proxy.log()).isEmpty();
      assertThat(java.util.Arrays.stream(values).map(SealedSession::keyId)).containsOnly("B");
    }
  }

  /** Replaces {@code file} in one step, as an operator should: a reader sees old or new. */
  static void replace(Path file, String content) {
    try {
      Path next = file.resolveSibling(file.getFileName() + ".next");
      Files.writeString(next, content, StandardCharsets.UTF_8);
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
