package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Jetty module and the Tomcat valve share the core, so for the same endpoints and the same
 * cookie they must choose the same backend. Proven end to end: 1,000 cookie values through every
 * container, one container at a time, over the same three backends.
 */
@ExtendWith(SharedBackends.Extension.class)
final class CrossContainerIT {

  private static final int KEYS = 1_000;

  private final Client client = new Client();

  @ParameterizedTest
  @EnumSource(HashAlgorithm.class)
  void everyContainerChoosesTheSameBackendForEachOfAThousandCookieValues(
      HashAlgorithm algorithm, SharedBackends backends) {
    Path destinationRule = algorithm.writeDestinationRule(Layout.newRunDir("dr-" + algorithm));
    Map<String, String> keys = Map.of(
        "endpoints", backends.endpoints(),
        "destinationRule", destinationRule.toString());

    Map<ContainerKind, Map<String, String>> choices = new LinkedHashMap<>();
    for (ContainerKind kind : ContainerKind.values()) {
      try (ProxyContainer proxy = kind.create()) {
        proxy.start(keys);
        choices.put(kind, choose(proxy));
      }
    }

    Map<String, String> reference = choices.get(ContainerKind.JETTY_12_1);
    Map<String, Long> perBackend = reference.values().stream()
        .collect(Collectors.groupingBy(name -> name, TreeMap::new, Collectors.counting()));
    assertThat(perBackend).as("keys per backend").containsOnlyKeys(backends.addressByName().keySet());
    assertThat(perBackend.values()).as("keys per backend: %s", perBackend)
        .allSatisfy(count -> assertThat(count).isGreaterThan(KEYS / 5));
    choices.forEach((kind, chosen) -> {
      List<String> differing = new ArrayList<>();
      reference.forEach((key, name) -> {
        if (!name.equals(chosen.get(key))) {
          differing.add(key + ": " + ContainerKind.JETTY_12_1 + " " + name + ", " + kind + " "
              + chosen.get(key));
        }
      });
      assertThat(differing).as("keys where %s differs from %s", kind, ContainerKind.JETTY_12_1)
          .isEmpty();
    });
  }

  /** Cookie value to the instance that answered it. */
  private Map<String, String> choose(ProxyContainer proxy) {
    Map<String, String> chosen = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      String key = "session-" + i;
      Reply reply = client.get(proxy.baseUri(), "/hello", "Cookie",
          HashAlgorithm.COOKIE + "=" + key);
      assertThat(reply.status()).as("%s, %s", proxy.label(), key).isEqualTo(200);
      chosen.put(key, reply.instance());
    }
    return chosen;
  }
}
