package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.api.TetherConfig;
import dev.tether.core.Inspection;
import dev.tether.core.Routing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class TetherCliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return new TetherCli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** {@code 127.0.0.1:<from>..<to>} as an endpoints value. */
  static String hosts(int from, int to) {
    List<String> list = new ArrayList<>();
    for (int p = from; p <= to; p++) {
      list.add("127.0.0.1:" + p);
    }
    return String.join(",", list);
  }

  @Test
  void hashPrintsUnsignedDecimal() {
    assertThat(run("hash", "")).isZero();
    assertThat(stdout()).isEqualTo(Long.toUnsignedString(0xEF46DB3751D8E999L) + "\n");
    run("hash", "--seed", "42", "");
    assertThat(stdout().trim()).isEqualTo(Long.toUnsignedString(0x98B1582B0977E704L));
    run("hash", "--function", "MURMUR_HASH_2", "foo");
    assertThat(stdout().trim()).isEqualTo("9631199822919835226");
  }

  @Test
  void pickPrintsOneLinePerHash() {
    int code = run("pick", "--endpoints", hosts(90, 95), "--minimumRingSize", "12",
        "--hash", "0", "--hash", "3551244743356806947", "--hash", "3551244743356806948");
    assertThat(code).isZero();
    assertThat(stdout()).isEqualTo("127.0.0.1:94\n127.0.0.1:95\n127.0.0.1:93\n");
  }

  @Test
  void pickWithAGeneratedCookiePrintsSetCookie() {
    run("pick", "--endpoints", hosts(90, 95), "--hashPolicy", "cookie:sticky;ttl=60s",
        "--remote", "10.1.1.1:40000", "--local", "10.0.0.9:8080");
    String[] lines = stdout().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).isEqualTo("Set-Cookie: sticky=\"b64390fbf5612d08\"; Max-Age=60; HttpOnly");
    run("pick", "--endpoints", hosts(90, 95), "--hashPolicy", "cookie:sticky;ttl=60s",
        "--cookie", "sticky=b64390fbf5612d08");
    assertThat(stdout()).isEqualTo(lines[0] + "\n");
  }

  @Test
  void pickWithoutEndpointsExitsThree() {
    assertThat(run("pick", "--endpoints", "127.0.0.1:90;health=UNHEALTHY", "--panicThreshold", "0",
        "--hash", "1")).isEqualTo(3);
    assertThat(stdout()).isEmpty();
  }

  @Test
  void pickHonoursSessionsAndAttempts() {
    run("pick", "--endpoints", hosts(90, 95), "--sessionHeader", "x-s", "--header",
        "x-s: " + Inspection.encodeHeaderSession("127.0.0.1:92"));
    assertThat(stdout()).isEqualTo("127.0.0.1:92\n");
    run("pick", "--endpoints", hosts(90, 95), "--loadBalancer", "MAGLEV", "--tableSize", "7",
        "--hash", "0", "--attempt", "1");
    TetherConfig maglev = Tether.parseConfig(
        Map.of("endpoints", hosts(90, 95), "loadBalancer", "MAGLEV", "tableSize", "7"));
    assertThat(stdout().trim()).isEqualTo(
        Routing.of(maglev, maglev.endpoints()).choose(0, 1).address());
  }

  @Test
  void tablePrintsEntriesAndShares() {
    run("table", "--endpoints", "127.0.0.1:90;weight=1,127.0.0.1:91;weight=2", "--loadBalancer", "MAGLEV");
    assertThat(stdout()).isEqualTo("127.0.0.1:90 21846 0.333338\n127.0.0.1:91 43691 0.666662\n");
  }

  @Test
  void encodeAndDecodeRoundTrip() {
    run("encode", "--cookie", "--address", "10.0.0.1:8080", "--expires", "1767225600");
    assertThat(stdout().trim()).isEqualTo("Cg0xMC4wLjAuMTo4MDgwEIDy1soG");
    run("decode", "--cookie", "Cg0xMC4wLjAuMTo4MDgwEIDy1soG", "--now", "1767225000");
    assertThat(stdout().trim()).isEqualTo("address=10.0.0.1:8080 expires=1767225600 format=proto");
    run("encode", "--header", "--address", "[2001:db8::1]:8080");
    run("decode", "--header", stdout().trim());
    assertThat(stdout().trim()).isEqualTo("address=[2001:db8::1]:8080 expires=0 format=header");
    run("decode", "--cookie", "not base64!");
    assertThat(stdout()).startsWith("invalid: ");
    run("decode", "--cookie", "CgoxLjIuMy40Ojgw", "--cookiePath", "/shop", "--requestPath", "/shopping");
    assertThat(stdout()).startsWith("invalid: request path /shopping does not match cookie path /shop");
  }

  @Test
  void simulateReportsMovedFraction() {
    assertThat(run("simulate", "--endpoints", hosts(9000, 9099), "--keys", "20000",
        "--remove", "127.0.0.1:9050")).isZero();
    assertThat(Double.parseDouble(stdout().trim())).isBetween(0.005, 0.015);
    run("simulate", "--endpoints", hosts(9000, 9009), "--loadBalancer", "MAGLEV",
        "--keys", "20000", "--add", "127.0.0.1:9010;weight=1");
    assertThat(Double.parseDouble(stdout().trim())).isBetween(0.06, 0.13);
  }

  @Test
  void badFlagsExitTwoWithANamedMessage() {
    assertThat(run("pick", "--endpoints", "x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("tether: endpoints: x (expected: ");
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(run("pick", "--endpoints", "1.1.1.1:1", "--hash", "-5")).isEqualTo(2);
    assertThat(run("--help")).isZero();
  }

  @Test
  void anUnknownFlagIsRefusedWithTheFlagItMisspells() {
    assertThat(run("pick", "--endpoints", "1.1.1.1:1", "--requestTimout", "2s", "--hash", "1"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("tether: --requestTimout: 2s (expected: one of --endpoints, ")
        .endsWith("; did you mean --requestTimeout?)\n");
    assertThat(run("hash", "--sed", "1", "x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("tether: --sed: 1 (expected: one of --seed, --function; did you mean --seed?)\n");
    assertThat(run("table", "--endpoints", "1.1.1.1:1", "--frobnicate", "x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("did you mean");
  }

  @Test
  void pickResolvesADnsSourceOnceAndReadsAnEndpointsFile() throws java.io.IOException {
    assertThat(run("pick", "--endpoints", "dns:localhost:8080", "--hash", "1")).isZero();
    assertThat(stdout().trim()).isIn("127.0.0.1:8080", "[::1]:8080");
    assertThat(run("pick", "--endpoints", "dns:name.invalid:8080", "--hash", "1")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("tether: endpoints: dns:name.invalid:8080 (expected: a name that resolves (");
    java.nio.file.Path file = java.nio.file.Files.createTempFile("tether-eps", ".yaml");
    try {
      java.nio.file.Files.writeString(file, "[127.0.0.1:95, 127.0.0.1:94, 127.0.0.1:93, 127.0.0.1:92,"
          + " 127.0.0.1:91, 127.0.0.1:90]");
      // The spec's ring vector, whatever order the file lists the hosts in.
      assertThat(run("pick", "--endpoints", "file:" + file, "--minimumRingSize", "12",
          "--hash", "3551244743356806947")).isZero();
      assertThat(stdout()).isEqualTo("127.0.0.1:95\n");
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }
}
