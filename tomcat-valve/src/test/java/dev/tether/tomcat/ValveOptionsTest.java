package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.core.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ValveOptionsTest {
  @Test
  void defaultsProxyEverythingWithThirtySecondRequestsAndFiveSecondConnects() {
    ValveOptions options = ValveOptions.parse(Map.of());
    assertThat(options.pathPrefix()).isEqualTo("/");
    assertThat(options.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
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
  void durationsTakeIstiosSyntax() {
    assertThat(ValveOptions.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(ValveOptions.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(ValveOptions.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ValveOptions.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(ValveOptions.parseDuration("2m5s10ms")).isEqualTo(Duration.ofMillis(125_010));
    assertThat(ValveOptions.parseDuration("100us")).isEqualTo(Duration.ofNanos(100_000));
    for (String bad : new String[] {"", "30", "s", "30 s", "-1s", "1d", "3x", "1s2", "9999999999999h"}) {
      assertThat(ValveOptions.parseDuration(bad)).as(bad).isNull();
    }
  }

  @Test
  void badValuesAreReportedAsKeyValueAndWhatWasExpected() {
    assertThatThrownBy(() -> ValveOptions.parse(Map.of("requestTimeout", "0s")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("requestTimeout: 0s (expected: a positive duration such as 30s, 1.5s, 500ms"
            + " or 1h30m)");
    assertThatThrownBy(() -> ValveOptions.parse(Map.of("connectTimeout", "fast")))
        .hasMessageStartingWith("connectTimeout: fast (expected: ");
    assertThatThrownBy(() -> ValveOptions.parse(Map.of("pathPrefix", "api")))
        .hasMessage("pathPrefix: api (expected: a path starting with /, such as /api)");
  }
}
