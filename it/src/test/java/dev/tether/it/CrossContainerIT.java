package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Decision;
import dev.tether.api.HeaderFields;
import dev.tether.api.Outcome;
import dev.tether.api.RequestView;
import dev.tether.it.harness.Client;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.Layout;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.Reply;
import dev.tether.it.harness.SharedBackends;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Jetty module and the Tomcat valve share the core, so for the same endpoints and the same
 * cookie they must choose the same backend, the one the core itself predicts. Proven end to end:
 * 1,000 cookie values through every container, one container at a time, over the same three
 * backends, compared key by key with {@link Tether#balancer} fed the same configuration.
 */
@ExtendWith(SharedBackends.Extension.class)
final class CrossContainerIT {

  private static final int KEYS = 1_000;

  private final Client client = new Client();

  @ParameterizedTest
  @EnumSource(HashAlgorithm.class)
  void everyContainerChoosesTheCoresBackendForEachOfAThousandCookieValues(
      HashAlgorithm algorithm, SharedBackends backends) {
    Path destinationRule = algorithm.writeDestinationRule(Layout.newRunDir("dr-" + algorithm));
    Map<String, String> keys = Map.of(
        "endpoints", backends.endpoints(),
        "destinationRule", destinationRule.toString());
    Map<String, String> predicted = predict(keys, backends);

    Map<String, Long> perBackend = predicted.values().stream()
        .collect(Collectors.groupingBy(name -> name, TreeMap::new, Collectors.counting()));
    assertThat(perBackend).as("keys per backend").containsOnlyKeys(backends.addressByName().keySet());
    assertThat(perBackend.values()).as("keys per backend: %s", perBackend)
        .allSatisfy(count -> assertThat(count).isGreaterThan(KEYS / 5));

    for (ContainerKind kind : ContainerKind.values()) {
      Map<String, String> chosen;
      long started = System.nanoTime();
      try (ProxyContainer proxy = kind.create()) {
        proxy.start(keys);
        long ready = System.nanoTime();
        chosen = choose(proxy);
        System.out.printf("%s %s: started in %d ms, %d requests in %d ms%n", algorithm, proxy.label(),
            (ready - started) / 1_000_000, KEYS, (System.nanoTime() - ready) / 1_000_000);
      }
      List<String> differing = new ArrayList<>();
      predicted.forEach((key, name) -> {
        if (!name.equals(chosen.get(key))) {
          differing.add(key + ": core " + name + ", " + kind + " " + chosen.get(key));
        }
      });
      assertThat(differing).as("keys where %s differs from the core", kind).isEmpty();
    }
  }

  /**
   * Front ends that share a key ring agree on every sealed value: all four containers run side by
   * side with the same ring; each session is started on one of them, and every container sends a
   * request carrying that session's value to the same backend without writing a new one.
   */
  @Test
  void containersSharingAKeyRingHonourEachOthersSealedValues(SharedBackends backends) {
    SealedSession.Ring ring = SealedSession.Ring.of("shared", 11, "old", 12);
    Path ringFile = Layout.newRunDir("shared-ring").resolve("keys");
    SealedSessionScenarios.replace(ringFile, ring.file());
    Map<String, String> keys = Map.of(
        "endpoints", backends.endpoints(),
        "sessionHeader", SessionHeader.NAME,
        "sessionSeal", "sealed",
        "sessionSealKeys", ringFile.toString());
    List<ProxyContainer> proxies = new ArrayList<>();
    try {
      for (ContainerKind kind : ContainerKind.values()) {
        ProxyContainer proxy = kind.create();
        proxies.add(proxy);
        proxy.start(keys);
      }
      Map<String, String> nameByAddress = backends.nameByAddress();
      List<String> disagreements = new ArrayList<>();
      for (int s = 0; s < 24; s++) {
        ProxyContainer origin = proxies.get(s % proxies.size());
        Reply first = client.get(origin.baseUri(), "/hello");
        String value = first.header(SessionHeader.NAME).orElseThrow();
        SealedSession.State state = SealedSession.open(value, ring);
        assertThat(nameByAddress.get(state.address())).as("sealed by %s", origin.label())
            .isEqualTo(first.instance());
        assertThat(state.keyId()).isEqualTo("shared");
        for (ProxyContainer proxy : proxies) {
          Reply reply = client.get(proxy.baseUri(), "/hello", SessionHeader.NAME, value);
          if (!first.instance().equals(reply.instance())
              || reply.header(SessionHeader.NAME).isPresent()) {
            disagreements.add(origin.label() + " sealed " + value + " for " + first.instance()
                + "; " + proxy.label() + " answered " + reply);
          }
        }
      }
      assertThat(disagreements).isEmpty();
    } finally {
      proxies.forEach(ProxyContainer::stop);
    }
  }

  /** Cookie value to the instance the core chooses for it. */
  private static Map<String, String> predict(Map<String, String> keys, SharedBackends backends) {
    Balancer balancer = Tether.balancer(Tether.parseConfig(keys, Path.of("")));
    Map<String, String> nameByAddress = backends.nameByAddress();
    Map<String, String> predicted = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      String key = key(i);
      Decision decision = balancer.route(new CookieRequest(HashAlgorithm.COOKIE + "=" + key));
      assertThat(decision.outcome()).as("core decision for %s", key).isEqualTo(Outcome.HASH);
      predicted.put(key, nameByAddress.get(decision.endpoint().address()));
    }
    return predicted;
  }

  /**
   * Cookie value to the instance that answered it. Four requests in flight: the order does not
   * matter to a hash, and it halves the wall time on two cores.
   */
  private Map<String, String> choose(ProxyContainer proxy) {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Map<String, Future<Reply>> replies = new LinkedHashMap<>();
      for (int i = 0; i < KEYS; i++) {
        String cookie = HashAlgorithm.COOKIE + "=" + key(i);
        replies.put(key(i), pool.submit(() -> client.get(proxy.baseUri(), "/hello", "Cookie", cookie)));
      }
      Map<String, String> chosen = new LinkedHashMap<>();
      for (Map.Entry<String, Future<Reply>> entry : replies.entrySet()) {
        Reply reply = entry.getValue().get(1, TimeUnit.MINUTES);
        assertThat(reply.status()).as("%s, %s", proxy.label(), entry.getKey()).isEqualTo(200);
        chosen.put(entry.getKey(), reply.instance());
      }
      return chosen;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(proxy.label() + ": a request failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static String key(int i) {
    return "session-" + i;
  }

  /**
   * A {@code GET /hello} carrying one {@code Cookie} header, as the test client sends it (the
   * Host the client sends does not enter a cookie hash).
   */
  private record CookieRequest(String cookie) implements RequestView {
    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String pathAndQuery() {
      return "/hello";
    }

    @Override
    public List<String> headers(String name) {
      return "cookie".equalsIgnoreCase(name) ? List.of(cookie) : List.of();
    }

    @Override
    public HeaderFields fields() {
      return new HeaderFields() {
        @Override
        public int size() {
          return 1;
        }

        @Override
        public String name(int index) {
          return "Cookie";
        }

        @Override
        public String value(int index) {
          return cookie;
        }
      };
    }

    @Override
    public String authority() {
      return "127.0.0.1:8080";
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
      return "127.0.0.1";
    }

    @Override
    public int remotePort() {
      return 40000;
    }

    @Override
    public String localAddress() {
      return "127.0.0.1";
    }

    @Override
    public int localPort() {
      return 8080;
    }
  }
}
