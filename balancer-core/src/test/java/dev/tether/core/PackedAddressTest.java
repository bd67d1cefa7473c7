package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class PackedAddressTest {
  private final byte[] buffer = new byte[PackedAddress.MAX_BYTES];

  private int pack(String address) {
    return PackedAddress.pack(address, buffer, 0);
  }

  private String roundTrip(String address) {
    int length = pack(address);
    assertThat(length).as(address).isPositive();
    assertThat(PackedAddress.length(buffer, 0, length)).isEqualTo(length);
    return PackedAddress.unpack(buffer, 0, length);
  }

  @Test
  void canonicalIpLiteralsPackInBinary() {
    assertThat(pack("10.0.0.1:8080")).isEqualTo(7);
    assertThat(buffer[0]).isEqualTo((byte) PackedAddress.FORM_V4);
    assertThat(roundTrip("10.0.0.1:8080")).isEqualTo("10.0.0.1:8080");
    assertThat(roundTrip("0.0.0.0:1")).isEqualTo("0.0.0.0:1");
    assertThat(pack("[2001:db8::1]:8080")).isEqualTo(19);
    assertThat(roundTrip("[2001:db8::1]:8080")).isEqualTo("[2001:db8::1]:8080");
    assertThat(roundTrip("[::ffff:10.0.0.1]:80")).isEqualTo("[::ffff:10.0.0.1]:80");
    assertThat(buffer[0]).isEqualTo((byte) PackedAddress.FORM_V6);
  }

  @Test
  void otherHostsPackAsTextAndComeBackUnchanged() {
    for (String address : new String[] {"010.0.0.1:80", "1.2.3:80", "web:80",
        "[fe80::1%eth0]:8080", "[2001:DB8::1]:80", "\u00e9t\u00e9.example:443"}) {
      assertThat(roundTrip(address)).isEqualTo(address);
      assertThat(buffer[0]).as(address).isEqualTo((byte) PackedAddress.FORM_TEXT);
    }
  }

  @Test
  void addressesWithoutAUsablePortOrWithAHugeHostDoNotPack() {
    for (String address : new String[] {"10.0.0.1", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:65536",
        "10.0.0.1:8o", ":80", "h".repeat(256) + ":80"}) {
      assertThat(pack(address)).as(address).isEqualTo(-1);
    }
    assertThat(pack("h".repeat(255) + ":80")).isEqualTo(1 + 1 + 255 + 2);
  }

  @Test
  void malformedPackedBytesAreRejected() {
    assertThat(PackedAddress.length(new byte[] {9, 0, 0}, 0, 3)).isEqualTo(-1);
    assertThat(PackedAddress.length(new byte[] {4, 1, 2, 3, 4, 0}, 0, 6)).isEqualTo(-1);
    assertThat(PackedAddress.length(new byte[] {0, 0, 0, 80}, 0, 4)).as("empty text").isEqualTo(-1);
    assertThat(PackedAddress.length(new byte[] {0, 5, 'a'}, 0, 3)).isEqualTo(-1);
    assertThat(PackedAddress.unpack(new byte[] {4, 1, 2, 3, 4, 0, 0}, 0, 7)).as("port 0").isNull();
    assertThat(PackedAddress.unpack(new byte[] {0, 1, (byte) 0xC3, 0, 80}, 0, 5)).isNull();
  }
}
