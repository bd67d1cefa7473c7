package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.api.TetherConfig;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one key table: its defaults, its syntax and its answer to an unknown key. */
final class ConfigKeysTest {

  @Test
  void everyDefaultReadsBackAsItself() {
    for (ConfigKey<?> key : ConfigKeys.all()) {
      if (!key.defaultText().isEmpty()) {
        assertThat((Object) key.parse(key.defaultText())).as(key.name())
            .isEqualTo(key.defaultValue());
      }
    }
  }

  @Test
  void everyKeyIsListedOnceWithADocumentationLineAndAnEquivalent() {
    Set<String> names = new HashSet<>();
    for (ConfigKey<?> key : ConfigKeys.all()) {
      assertThat(names.add(key.name())).as("%s listed once", key.name()).isTrue();
      assertThat(key.documentation()).as(key.name()).isNotBlank().doesNotContain("\n", "|");
      assertThat(key.equivalent()).as(key.name()).isNotBlank().doesNotContain("\n", "|");
      assertThat(key.defaultNote()).as(key.name()).isIn("", "off", "required");
    }
    assertThat(Tether.defaults().keySet()).containsExactlyElementsOf(names.stream()
        .sorted((a, b) -> indexOf(a) - indexOf(b)).toList());
  }

  private static int indexOf(String name) {
    for (int i = 0; i < ConfigKeys.all().size(); i++) {
      if (ConfigKeys.all().get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void theParsersDefaultsAreTheBuildersDefaults() {
    TetherConfig parsed = Tether.parseConfig(Map.of("endpoints", "10.0.0.1:80"));
    assertThat(parsed).isEqualTo(TetherConfig.builder().endpoints(parsed.endpoints()).build());
    // Every default given explicitly parses to the same configuration, but for the keys whose
    // being set means something (an outlier key turns outlier detection on) or that may be set
    // only with another one.
    Map<String, String> explicit = new java.util.HashMap<>(Tether.defaults());
    explicit.put("endpoints", "10.0.0.1:80");
    ConfigKeys.OUTLIER.forEach(key -> explicit.remove(key.name()));
    ConfigKeys.HEALTH_CHECK.forEach(key -> explicit.remove(key.name()));
    for (ConfigKey<?> key : java.util.List.of(ConfigKeys.DNS_REFRESH_RATE,
        ConfigKeys.DNS_RESOLVERS, ConfigKeys.FILE_REFRESH_RATE, ConfigKeys.SESSION_COOKIE_TTL,
        ConfigKeys.SESSION_SEAL_TTL, ConfigKeys.TCP_CONNECT_TIMEOUT)) {
      explicit.remove(key.name());
    }
    assertThat(Tether.parseConfig(explicit)).isEqualTo(parsed);
  }

  @Test
  void anUnknownKeyIsAnsweredWithTheKeyItMostLikelyMisspells() {
    assertThat(ConfigKeys.expectedInsteadOf("requestTimout"))
        .isEqualTo("a Tether key; did you mean requestTimeout?");
    assertThat(ConfigKeys.expectedInsteadOf("sesionCookie"))
        .isEqualTo("a Tether key; did you mean sessionCookie?");
    assertThat(ConfigKeys.expectedInsteadOf("frobnicate"))
        .startsWith("a Tether key: endpoints, dnsRefreshRate, dnsResolvers, fileRefreshRate, ")
        .endsWith(", name");
  }
}
