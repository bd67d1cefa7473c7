package dev.tether.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class IpLiteralsTest {

  @Test
  void ipv6IsPrintedAsInetNtopDoes() {
    assertThat(IpLiterals.canonical("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(IpLiterals.canonical("2001:0DB8:0000:0000:0000:0000:0000:0001")).isEqualTo("2001:db8::1");
    assertThat(IpLiterals.canonical("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
    assertThat(IpLiterals.canonical("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(IpLiterals.canonical("[fe80::1%eth0]")).isEqualTo("fe80::1%eth0");
    assertThat(IpLiterals.canonical("::ffff:10.0.0.1")).isEqualTo("::ffff:10.0.0.1");
    assertThat(IpLiterals.canonical("0:0:0:0:0:0:0:0")).isEqualTo("::");
  }

  @Test
  void ipv4AndNamesAreLeftAlone() {
    assertThat(IpLiterals.canonical("10.0.0.1")).isEqualTo("10.0.0.1");
    assertThat(IpLiterals.canonical("backend-1")).isEqualTo("backend-1");
    assertThat(IpLiterals.isV4("256.1.1.1")).isFalse();
    assertThat(IpLiterals.parseV6("1:2:3")).isNull();
    assertThat(IpLiterals.parseV6("1::2::3")).isNull();
  }
}
