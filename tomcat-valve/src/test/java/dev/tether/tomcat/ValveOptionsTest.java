package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.core.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ValveOptionsTest {
  @Test
  void defaultsProxyEverything() {
    ValveOptions options = ValveOptions.parse(Map.of());
    assertThat(options.pathPrefix()).isEqualTo("/");
    assertThat(ValveOptions.KEYS).containsExactlyInAnyOrder("pathPrefix", "drainTimeout");
    assertThat(options.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.covers("/")).isTrue();
    assertThat(options.covers("/anything/at/all")).isTrue();
  }

  @Test
  void aPrefixCoversItselfAndWhatIsBelowItButNotLongerSegments() {
    ValveOptions api = ValveOptions.parse(Map.of("pathPrefix", "/api"));
    assertThat(api.covers("/api")).isTrue();
    assertThat(api.covers("/api/")).isTrue();
    assertThat(api.covers("/api/v1/orders")).isTrue();
    assertThat(api.covers("/apis")).isFalse();
    assertThat(api.covers("/ap")).isFalse();
    assertThat(api.covers("/API")).isFalse();
    assertThat(api.covers(null)).isFalse();

    ValveOptions slash = ValveOptions.parse(Map.of("pathPrefix", "/static/"));
    assertThat(slash.covers("/static/app.js")).isTrue();
    assertThat(slash.covers("/static")).isFalse();
  }

  @Test
  void badValuesAreReportedAsKeyValueAndWhatWasExpected() {
    assertThatThrownBy(() -> ValveOptions.parse(Map.of("pathPrefix", "api")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("pathPrefix: api (expected: a path starting with /, such as /api)");
    assertThatThrownBy(() -> ValveOptions.parse(Map.of("drainTimeout", "5")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("drainTimeout: 5 (expected: a duration such as 0s, 500ms, 30s, 1h)");
  }

  @Test
  void theDrainTimeTakesIstioDurations() {
    assertThat(ValveOptions.parse(Map.of("drainTimeout", "1m30s")).drainTimeout())
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(ValveOptions.parse(Map.of("drainTimeout", "0s")).drainTimeout()).isZero();
  }
}
