package dev.tether.core;

import static dev.tether.core.Fixtures.hosts;
import static dev.tether.core.Fixtures.snapshot;
import static dev.tether.core.Fixtures.u64;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The public vectors of the affinity spec, section 9. */
final class SpecVectorsTest {

  @Test
  void xxHash64MatchesReferenceVectors() {
    assertThat(XxHash64.hash("")).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(XxHash64.hash("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(XxHash64.hash("abc")).isEqualTo(0x44BC2CF5AD770999L);
    assertThat(XxHash64.hash("123456789")).isEqualTo(0x8CB841DB40E6AE83L);
    assertThat(XxHash64.hash(new byte[] {0}, 0, 1, 0)).isEqualTo(0xE934A84ADB052768L);
    byte[] b32 = new byte[32];
    for (int i = 0; i < 32; i++) {
      b32[i] = (byte) i;
    }
    assertThat(XxHash64.hash(b32, 0, 32, 0)).isEqualTo(0xCBF59C5116FF32B4L);
    byte[] b100 = new byte[100];
    for (int i = 0; i < 100; i++) {
      b100[i] = (byte) i;
    }
    assertThat(XxHash64.hash(b100, 0, 100, 0)).isEqualTo(0x6AC1E58032166597L);
    assertThat(XxHash64.hash("", 42)).isEqualTo(0x98B1582B0977E704L);
  }

  @Test
  void ringEntriesOfFirstHostMatchSpec() {
    assertThat(XxHash64.hash("127.0.0.1:90_0")).isEqualTo(u64("16117243373044804889"));
    assertThat(XxHash64.hash("127.0.0.1:90_1")).isEqualTo(u64("1033482794131418490"));
  }

  @Test
  void ringWithSixHostsAndMinimumTwelveRoutesSpecHashes() {
    ClusterSnapshot ring = snapshot("endpoints", hosts(90, 95), "minimumRingSize", "12");
    assertThat(ring.choose(0, 0).port()).isEqualTo(94);
    assertThat(ring.choose(-1L, 0).port()).isEqualTo(94);
    assertThat(ring.choose(u64("3551244743356806947"), 0).port()).isEqualTo(95);
    assertThat(ring.choose(u64("3551244743356806948"), 0).port()).isEqualTo(93);
  }

  @Test
  void ringWithHashKeysRoutesSpecHashes() {
    ClusterSnapshot ring = snapshot("endpoints", keyed(), "minimumRingSize", "12");
    assertThat(ring.choose(0, 0).hashKey()).isEqualTo("95");
    assertThat(ring.choose(u64("7225015537174310577"), 0).hashKey()).isEqualTo("92");
    assertThat(ring.choose(u64("6803900775736438537"), 0).hashKey()).isEqualTo("93");
  }

  @Test
  void maglevTableOfSevenMatchesSpecWhateverTheOrder() {
    String[] expected = {":92", ":94", ":90", ":91", ":95", ":90", ":93"};
    for (String endpoints : new String[] {hosts(90, 95),
        "127.0.0.1:95,127.0.0.1:93,127.0.0.1:91,127.0.0.1:90,127.0.0.1:94,127.0.0.1:92"}) {
      ClusterSnapshot maglev = snapshot("endpoints", endpoints, "loadBalancer", "MAGLEV",
          "tableSize", "7");
      for (int slot = 0; slot < 7; slot++) {
        assertThat(":" + maglev.choose(slot, 0).port()).isEqualTo(expected[slot]);
      }
    }
  }

  @Test
  void maglevTableWithHashKeysMatchesSpec() {
    String[] expected = {"92", "95", "90", "93", "94", "91", "90"};
    ClusterSnapshot maglev = snapshot("endpoints", keyed(), "loadBalancer", "MAGLEV",
        "tableSize", "7");
    for (int slot = 0; slot < 7; slot++) {
      assertThat(maglev.choose(slot, 0).hashKey()).isEqualTo(expected[slot]);
    }
  }

  @Test
  void maglevWeightsOneToTwoFillSpecCounts() {
    ClusterSnapshot maglev = snapshot("endpoints", "127.0.0.1:90;weight=1,127.0.0.1:91;weight=2",
        "loadBalancer", "MAGLEV");
    HostTable table = maglev.tableOf(maglev.endpoints().get(0));
    assertThat(table.entries(maglev.endpoints().get(0))).isEqualTo(21_846);
    assertThat(table.entries(maglev.endpoints().get(1))).isEqualTo(43_691);
  }

  @Test
  void sessionValuesMatchSpec() {
    assertThat(SessionCodec.encodeHeader("1.2.3.4:80")).isEqualTo("MS4yLjMuNDo4MA==");
    assertThat(SessionCodec.encodeCookie("1.2.3.4:80", 0)).isEqualTo("CgoxLjIuMy40Ojgw");
    assertThat(SetCookie.format("override_host", SessionCodec.encodeCookie("1.2.3.4:80", 0), "",
        0, java.util.List.of())).isEqualTo("override_host=\"CgoxLjIuMy40Ojgw\"; HttpOnly");
    assertThat(SessionCodec.encodeCookie("10.0.0.1:8080", 0)).isEqualTo("Cg0xMC4wLjAuMTo4MDgw");
    assertThat(SessionCodec.encodeCookie("10.0.0.1:8080", 1767225600L))
        .isEqualTo("Cg0xMC4wLjAuMTo4MDgwEIDy1soG");
    assertThat(SessionCodec.encodeCookie("[2001:db8::1]:8080", 0))
        .isEqualTo("ChJbMjAwMTpkYjg6OjFdOjgwODA=");
    assertThat(new String(EnvoyBase64.decode("MS4yLjMuNDo4MA=="), StandardCharsets.UTF_8))
        .isEqualTo("1.2.3.4:80");
  }

  private static String keyed() {
    StringBuilder out = new StringBuilder();
    for (int p = 90; p <= 95; p++) {
      out.append(p == 90 ? "" : ",").append("127.0.0.1:").append(p).append(";hashKey=").append(p);
    }
    return out.toString();
  }
}
