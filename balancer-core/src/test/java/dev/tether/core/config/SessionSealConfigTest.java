package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Tether;
import dev.tether.api.SessionSeal;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import dev.tether.core.CoreBalancer;
import dev.tether.core.Rings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SessionSealConfigTest {
  @TempDir Path dir;

  private TetherConfig parse(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    map.put("endpoints", "10.0.0.1:8080");
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return Tether.parseConfig(map, dir);
  }

  private void rejects(String message, String... keyValues) {
    assertThatThrownBy(() -> parse(keyValues)).isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void sealingIsOffByDefaultAndDocumented() {
    assertThat(Tether.defaults()).containsEntry("sessionSeal", "off")
        .containsEntry("sessionSealKeys", "").containsEntry("sessionSealTtl", "0s");
    assertThat(parse("sessionHeader", "x-s").session().seal()).isEqualTo(SessionSeal.OFF);
    assertThat(parse("sessionHeader", "x-s", "sessionSeal", "OFF").session().seal())
        .isEqualTo(SessionSeal.OFF);
  }

  @Test
  void aRelativeKeyRingIsReadFromTheBaseDirectory() {
    Rings.write(dir.resolve("etc-keys"), Rings.line("A", 1));
    SessionSeal seal = parse("sessionCookie", "c", "sessionSeal", "migrate",
        "sessionSealKeys", "etc-keys", "sessionSealTtl", "12h", "fileRefreshRate", "5s")
        .session().seal();
    assertThat(seal).isEqualTo(new SessionSeal(SessionSeal.Mode.MIGRATE,
        dir.resolve("etc-keys").toAbsolutePath().toString(), Duration.ofHours(12),
        Duration.ofSeconds(5)));
    assertThat(parse("sessionHeader", "x", "sessionSeal", "Sealed", "sessionSealKeys",
        dir.resolve("etc-keys").toString()).session().seal().refreshRate())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void badValuesNameTheirKey() {
    Rings.write(dir.resolve("keys"), Rings.line("A", 1));
    rejects("sessionSeal: foo (expected: off, sealed or migrate)",
        "sessionHeader", "x", "sessionSeal", "foo");
    rejects("sessionSealKeys: (unset) (expected: the path of a key ring file, which"
        + " sessionSeal=sealed requires (tether keygen prints a key line))",
        "sessionHeader", "x", "sessionSeal", "sealed");
    rejects("sessionSeal: migrate (expected: off unless sessionCookie or sessionHeader is set)",
        "sessionSeal", "migrate", "sessionSealKeys", "keys");
    rejects("sessionSealKeys: keys (expected: unset unless sessionSeal is sealed or migrate)",
        "sessionHeader", "x", "sessionSealKeys", "keys");
    rejects("sessionSealTtl: 1h (expected: unset unless sessionSeal is sealed or migrate)",
        "sessionHeader", "x", "sessionSealTtl", "1h");
    rejects("sessionSealTtl: 500ms (expected: 0s (no expiry) or at least 1s, such as 30m or 12h)",
        "sessionHeader", "x", "sessionSeal", "sealed", "sessionSealKeys", "keys",
        "sessionSealTtl", "500ms");
    rejects("sessionSealTtl: soon (expected: a duration such as 0s, 500ms, 30s, 1h)",
        "sessionHeader", "x", "sessionSeal", "sealed", "sessionSealKeys", "keys",
        "sessionSealTtl", "soon");
    rejects("fileRefreshRate: 5s (expected: unset unless endpoints is file:PATH or"
        + " sessionSealKeys is set)", "sessionHeader", "x", "fileRefreshRate", "5s");
  }

  @Test
  void aBrokenRingStopsStartupNamingTheKeyTheFileAndTheLine() {
    Path keys = Rings.write(dir.resolve("keys"), Rings.line("A", 1), "B=AAAA");
    assertThatThrownBy(() -> parse("sessionHeader", "x", "sessionSeal", "sealed",
        "sessionSealKeys", "keys"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sessionSealKeys: keys (expected: a key ring file, one line ID=BASE64")
        .hasMessageContaining(keys.toAbsolutePath() + ": line 2: key B is 3 bytes");
    assertThatThrownBy(() -> parse("sessionHeader", "x", "sessionSeal", "sealed",
        "sessionSealKeys", "missing"))
        .hasMessageStartingWith("sessionSealKeys: missing (expected: a key ring file")
        .hasMessageContaining(dir.resolve("missing") + ": cannot be read");
  }

  @Test
  void aRingBrokenBetweenParsingAndStartStillStopsStartup() {
    Path keys = Rings.write(dir.resolve("keys"), Rings.line("A", 1));
    TetherConfig config = parse("sessionHeader", "x", "sessionSeal", "sealed",
        "sessionSealKeys", "keys");
    Rings.write(keys, "nonsense");
    assertThatThrownBy(() -> CoreBalancer.create(config, config.endpoints(),
        java.time.Clock.systemUTC(), () -> 0))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("sessionSealKeys: ");
  }
}
