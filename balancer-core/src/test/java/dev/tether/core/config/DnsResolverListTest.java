package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.api.DnsResolvers;
import dev.tether.api.EndpointSource;
import dev.tether.core.Fixtures;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class DnsResolverListTest {

  @Test
  void serversAreIpAddressesWithAnOptionalPortAndIpv6InBrackets() throws Exception {
    DnsResolvers parsed =
        DnsResolverList.parse("dnsResolvers", "10.96.0.10, 127.0.0.1:5353,[fd00::a]:53,::1");
    assertThat(parsed.mode()).isEqualTo(DnsResolvers.Mode.SERVERS);
    assertThat(parsed.servers()).containsExactly(
        new InetSocketAddress(InetAddress.getByName("10.96.0.10"), 53),
        new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5353),
        new InetSocketAddress(InetAddress.getByName("fd00::a"), 53),
        new InetSocketAddress(InetAddress.getByName("::1"), 53));
    assertThat(DnsResolverList.format(parsed))
        .isEqualTo("10.96.0.10:53,127.0.0.1:5353,[fd00::a]:53,[::1]:53");
    assertThat(DnsResolverList.parse("dnsResolvers", "JVM")).isEqualTo(DnsResolvers.JVM);
    assertThat(DnsResolverList.parse("dnsResolvers", "system")).isEqualTo(DnsResolvers.SYSTEM);
  }

  @Test
  void theKeyReachesTheDnsSourceAndDefaultsToTheSystemsServers() throws Exception {
    assertThat(Fixtures.config("endpoints", "dns:web:80").endpointSource().resolvers())
        .isEqualTo(DnsResolvers.SYSTEM);
    assertThat(Fixtures.config("endpoints", "dns:web:80", "dnsResolvers", "127.0.0.1:5353")
        .endpointSource()).isEqualTo(EndpointSource.dns("web", 80, Duration.ofSeconds(5),
            DnsResolvers.servers(List.of(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5353)))));
  }

  @Test
  void badValuesStopStartupNamingTheKey() {
    String expected = " (expected: system, jvm, or comma-separated IP[:PORT] (IPv6 as"
        + " [ADDR]:PORT), e.g. 10.96.0.10:53,10.96.0.11)";
    for (String bad : List.of("dns.google", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:x",
        "10.0.0.1,", "[fd00::1", "fe80::1%eth0", "10.0.0.256", "")) {
      assertThatThrownBy(() -> DnsResolverList.parse("dnsResolvers", bad))
          .as(bad).hasMessage("dnsResolvers: " + bad + expected);
    }
    assertThatThrownBy(() -> Fixtures.config("endpoints", "dns:web:80", "dnsResolvers", "nope"))
        .hasMessage("dnsResolvers: nope" + expected);
    assertThatThrownBy(() -> Fixtures.config("endpoints", "10.0.0.1:80", "dnsResolvers", "jvm"))
        .hasMessage("dnsResolvers: jvm (expected: unset unless endpoints is dns:NAME:PORT)");
  }
}
