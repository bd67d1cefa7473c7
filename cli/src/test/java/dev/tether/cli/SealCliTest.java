package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.core.KeyRing;
import dev.tether.core.NonceSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tether keygen}, {@code seal} and {@code unseal}. */
final class SealCliTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T09:30:12Z"), ZoneOffset.UTC);
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    SecureRandom keys;
    try {
      keys = SecureRandom.getInstance("SHA1PRNG");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    keys.setSeed(42);
    return new TetherCli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK, keys, NonceSource.seeded(9))
        .run(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8).trim();
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8).trim();
  }

  @Test
  void keygenPrintsARingLineThatTheRingAccepts() throws Exception {
    assertThat(run("keygen")).isZero();
    String line = stdout();
    assertThat(line).matches("k20261121093012=[A-Za-z0-9+/]{43}=");
    assertThat(Base64.getDecoder().decode(line.substring(line.indexOf('=') + 1))).hasSize(32);
    Path ring = Rings.write(dir.resolve("generated"), line);
    assertThat(KeyRing.read("generated", ring).activeId()).isEqualTo("k20261121093012");
    assertThat(run("keygen", "--id", "blue.2")).isZero();
    assertThat(stdout()).startsWith("blue.2=");
    assertThat(run("keygen", "--id", "no/slash")).isEqualTo(2);
    assertThat(stderr()).isEqualTo("tether: --id: no/slash (expected: 1 to 16 of A-Za-z0-9._-)");
  }

  @Test
  void sealAndUnsealRoundTripWithTheActiveKey() {
    Path keys = Rings.write(dir.resolve("keys"), Rings.line("B", 2), Rings.line("A", 1));
    assertThat(run("seal", "--sessionSealKeys", keys.toString(), "--address", "10.0.0.1:8080",
        "--expires", "1767225600")).isZero();
    String value = stdout();
    assertThat(value).matches("[A-Za-z0-9_-]{62}");
    assertThat(run("unseal", "--sessionSealKeys", keys.toString(), value, "--now", "1767225000"))
        .isZero();
    assertThat(stdout()).isEqualTo("address=10.0.0.1:8080 expires=1767225600 key=B");
    run("unseal", "--sessionSealKeys", keys.toString(), value, "--now", "1767225601");
    assertThat(stdout()).isEqualTo("invalid: expired at 1767225600");
    assertThat(run("seal", "--sessionSealKeys", keys.toString(), "--address", "10.0.0.1:80",
        "--address", "10.0.0.2:80", "--address", "10.0.0.1:80")).isZero();
    String[] three = stdout().split("\n");
    assertThat(three).hasSize(3).doesNotHaveDuplicates();
    run("unseal", "--sessionSealKeys", keys.toString(), three[1]);
    assertThat(stdout()).isEqualTo("address=10.0.0.2:80 expires=0 key=B");
    run("seal", "--sessionSealKeys", keys.toString(), "--address", "[2001:DB8::1]:443");
    run("unseal", "--sessionSealKeys", keys.toString(), stdout());
    assertThat(stdout()).isEqualTo("address=[2001:db8::1]:443 expires=0 key=B");
  }

  @Test
  void unsealSaysWhyAValueIsNoSession() {
    Path keys = Rings.write(dir.resolve("keys"), Rings.line("A", 1));
    Path other = Rings.write(dir.resolve("other"), Rings.line("A", 7), Rings.line("C", 3));
    run("seal", "--sessionSealKeys", other.toString(), "--address", "10.0.0.1:8080");
    String foreign = stdout();
    run("unseal", "--sessionSealKeys", keys.toString(), foreign);
    assertThat(stdout()).isEqualTo("invalid: authentication failed (tampered, or sealed by"
        + " another ring's key of that id)");
    Path rotated = Rings.write(dir.resolve("rotated"), Rings.line("C", 3));
    run("seal", "--sessionSealKeys", rotated.toString(), "--address", "10.0.0.1:8080");
    run("unseal", "--sessionSealKeys", keys.toString(), stdout());
    assertThat(stdout()).isEqualTo(
        "invalid: sealed with key id C, which the key ring does not have (it has A)");
    run("unseal", "--sessionSealKeys", keys.toString(), "MTAuMC4wLjE6ODA4MA==");
    assertThat(stdout()).isEqualTo("invalid: not a sealed value (length or characters)");
  }

  @Test
  void badFlagsAndRingsExitTwo() {
    Path broken = Rings.write(dir.resolve("broken"), "A=short");
    assertThat(run("seal", "--sessionSealKeys", broken.toString(), "--address", "1.2.3.4:80"))
        .isEqualTo(2);
    assertThat(stderr()).startsWith("tether: sessionSealKeys: " + broken)
        .contains(": line 1: key A is");
    Path keys = Rings.write(dir.resolve("keys"), Rings.line("A", 1));
    assertThat(run("seal", "--sessionSealKeys", keys.toString())).isEqualTo(2);
    assertThat(stderr()).contains("--address");
    assertThat(run("seal", "--sessionSealKeys", keys.toString(), "--address", "1.2.3.4:0"))
        .isEqualTo(2);
    assertThat(run("unseal", "--sessionSealKeys", keys.toString())).isEqualTo(2);
    assertThat(run("unseal", keys.toString(), "x")).isEqualTo(2);
  }

  @Test
  void pickShowsTheSealedSessionItWouldWrite() {
    Path keys = Rings.write(dir.resolve("keys"), Rings.line("A", 1));
    assertThat(run("pick", "--endpoints", TetherCliTest.hosts(90, 95), "--sessionHeader", "x-s",
        "--sessionSeal", "sealed", "--sessionSealKeys", keys.toString(), "--hash", "0")).isZero();
    run("pick", "--endpoints", TetherCliTest.hosts(90, 95), "--sessionHeader", "x-s",
        "--sessionSeal", "sealed", "--sessionSealKeys", keys.toString());
    String[] lines = stdout().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).startsWith("x-s: A");
    run("unseal", "--sessionSealKeys", keys.toString(), lines[1].substring("x-s: ".length()));
    assertThat(stdout()).startsWith("address=" + lines[0] + " ");
    run("pick", "--endpoints", TetherCliTest.hosts(90, 95), "--sessionHeader", "x-s",
        "--sessionSeal", "sealed", "--sessionSealKeys", keys.toString(),
        "--header", lines[1]);
    assertThat(stdout()).isEqualTo(lines[0]);
  }
}
