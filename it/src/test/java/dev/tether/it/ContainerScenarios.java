package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.it.harness.Client;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.SharedBackends;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every scenario suite shares: the container kind it runs on, the three shared backends,
 * the test client, and one container per configuration, started on first use by whichever
 * scenario needs it first and reused by every later one; all stop when the class ends. A suite
 * is written once; a subclass per distribution only names its {@link ContainerKind}.
 */
@ExtendWith(SharedBackends.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerScenarios {

  final ContainerKind kind;
  final Client client = new Client();
  SharedBackends backends;
  private final Map<String, Object> configured = new LinkedHashMap<>();

  ContainerScenarios(ContainerKind kind) {
    this.kind = kind;
  }

  @BeforeAll
  void shareBackends(SharedBackends shared) {
    backends = shared;
  }

  @AfterAll
  void stopContainers() {
    configured.values().stream()
        .filter(ProxyContainer.class::isInstance)
        .map(ProxyContainer.class::cast)
        .forEach(ProxyContainer::stop);
  }

  /** The container of configuration {@code name}: HTTP/1.1 connector, {@code keys}, {@code baseFiles}. */
  ProxyContainer container(String name, Map<String, String> keys, Map<String, String> baseFiles) {
    return container(name, kind::create, keys, baseFiles);
  }

  /**
   * The container running configuration {@code name}, made by {@code create} and started on
   * first use. A configuration that failed to start fails every later scenario at once with the
   * same error, rather than retrying.
   */
  synchronized ProxyContainer container(String name, Supplier<ProxyContainer> create,
      Map<String, String> keys, Map<String, String> baseFiles) {
    Object entry = configured.computeIfAbsent(name, n -> {
      ProxyContainer container = create.get();
      try {
        container.start(keys, baseFiles);
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

  /** Field {@code name} of a backend's {@code /headers} JSON. */
  static String jsonField(String json, String name) {
    Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"")
        .matcher(json);
    assertThat(matcher.find()).as("%s in %s", name, json).isTrue();
    return matcher.group(1);
  }

  /** Istio's {@code persistent-session-header} over the shared backends, every default kept. */
  ProxyContainer headerSessions() {
    return container("header-session", Map.of(
        "endpoints", backends.endpoints(),
        "sessionHeader", SessionHeader.NAME), Map.of());
  }
}
