package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.Endpoint;
import dev.tether.core.cluster.FakeDnsServer.Behaviour;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tether's own DNS client against a real DNS server on 127.0.0.1 ({@link FakeDnsServer}, UDP and
 * TCP), whose records change while the test runs: answers are never cached (the server's TTL is
 * an hour), truncation moves to TCP, failures keep the last set and NXDOMAIN empties it, and the
 * system mode reads a hosts file first and applies {@code resolv.conf}'s search domains.
 */
final class DnsjavaResolverTest {
  private static final Duration REFRESH = Duration.ofSeconds(1);
  /** One refresh, plus room for a loaded 2-core machine. */
  private static final Duration ONE_REFRESH_AND_SLACK = Duration.ofMillis(2500);

  @TempDir Path dir;
  private final FakeDnsServer dns = FakeDnsServer.start();
  private final List<Balancer> balancers = new ArrayList<>();

  @AfterEach
  void close() {
    balancers.forEach(Balancer::close);
    dns.close();
  }

  @Test
  void aChangedRecordSetIsFollowedWithinOneRefreshWhateverItsTtl() throws Exception {
    dns.put("web.tether.test", "10.0.0.1", "10.0.0.2");
    Balancer balancer = balancer("web.tether.test");
    assertThat(addresses(balancer)).containsExactly("10.0.0.1:8080", "10.0.0.2:8080");

    dns.put("web.tether.test", "10.0.0.2", "10.0.0.3", "fd00::7");
    long changed = System.nanoTime();
    awaitAddresses(balancer, a -> a.equals(List.of("10.0.0.2:8080", "10.0.0.3:8080",
        "[fd00::7]:8080")));
    assertThat(Duration.ofNanos(System.nanoTime() - changed)).isLessThan(ONE_REFRESH_AND_SLACK);
    assertThat(dns.questions()).contains("web.tether.test./A", "web.tether.test./AAAA");
  }

  @Test
  void aTruncatedUdpAnswerIsAskedAgainOverTcp() throws Exception {
    dns.put("big.tether.test", "10.0.0.1", "10.0.0.2", "2001:db8::1");
    dns.behave(Behaviour.TRUNCATE_UDP);
    List<InetAddress> answer = servers().resolve("big.tether.test");
    assertThat(answer).extracting(InetAddress::getHostAddress)
        .containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2", "2001:db8:0:0:0:0:0:1");
    assertThat(dns.udpQueries()).isEqualTo(2);
    assertThat(dns.tcpQueries()).isEqualTo(2);
  }

  @Test
  void serverFailureKeepsTheLastSetUntilTheServerAnswersAgain() throws Exception {
    dns.put("web.tether.test", "10.0.0.1", "10.0.0.2");
    Balancer balancer = balancer("web.tether.test");
    dns.behave(Behaviour.SERVFAIL);
    dns.put("web.tether.test", "10.0.0.9");
    awaitError(balancer, e -> e.contains("SERVFAIL"));
    assertThat(addresses(balancer)).containsExactly("10.0.0.1:8080", "10.0.0.2:8080");
    assertThat(error(balancer)).startsWith("cannot resolve web.tether.test (")
        .endsWith("; keeping the last 2 endpoints");

    dns.behave(Behaviour.ANSWER);
    awaitAddresses(balancer, a -> a.equals(List.of("10.0.0.9:8080")));
    awaitError(balancer, String::isEmpty);
  }

  @Test
  void aSilentServerTimesOutWithinItsBoundAndKeepsTheLastSet() throws Exception {
    dns.put("web.tether.test", "10.0.0.1");
    DnsjavaResolver resolver = servers();
    assertThat(resolver.resolve("web.tether.test")).hasSize(1);
    dns.behave(Behaviour.SILENT);
    long start = System.nanoTime();
    assertThatThrownBy(() -> resolver.resolve("web.tether.test"))
        .isInstanceOf(UnknownHostException.class)
        .hasMessageContaining("web.tether.test. A: timed out");
    // Two tries of max(1s, 500ms) on the one server; the AAAA query is not sent after A failed.
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofSeconds(5));

    dns.behave(Behaviour.ANSWER);
    Balancer balancer = balancer("web.tether.test");
    dns.behave(Behaviour.SILENT);
    awaitError(balancer, e -> e.contains("timed out"));
    assertThat(addresses(balancer)).containsExactly("10.0.0.1:8080");
  }

  @Test
  void nxdomainAndAnAnswerWithoutRecordsEmptyTheSet() throws Exception {
    dns.put("web.tether.test", "10.0.0.1");
    Balancer balancer = balancer("web.tether.test");
    dns.remove("web.tether.test");
    awaitAddresses(balancer, List::isEmpty);
    assertThat(error(balancer)).isEmpty();

    dns.put("web.tether.test", "10.0.0.2");
    awaitAddresses(balancer, a -> a.equals(List.of("10.0.0.2:8080")));
    dns.put("web.tether.test");
    awaitAddresses(balancer, List::isEmpty);
    assertThat(servers().resolve("web.tether.test")).isEmpty();
    assertThat(servers().resolve("gone.tether.test")).isEmpty();
  }

  @Test
  void listedServersAreAskedForTheNameAsWrittenAndInOrder() throws Exception {
    try (FakeDnsServer second = FakeDnsServer.start()) {
      second.put("web", "10.0.0.5");
      dns.behave(Behaviour.SILENT);
      DnsjavaResolver resolver = DnsjavaResolver.servers(
          List.of(server(dns), server(second)), Duration.ofMillis(500));
      assertThat(resolver.resolve("web")).extracting(InetAddress::getHostAddress)
          .containsExactly("10.0.0.5");
      assertThat(second.questions()).containsExactly("web./A", "web./AAAA");
    }
  }

  @Test
  void theHostsFileAnswersFirstAndDnsTheNamesItDoesNotList() throws Exception {
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "# a comment\n10.1.1.1 web.tether.test web\n"
        + "fd00::1 web.tether.test\n10.1.1.2 web.tether.test\n");
    Path resolvConf = dir.resolve("resolv.conf");
    Files.writeString(resolvConf, "nameserver 127.0.0.1\n");
    dns.put("web.tether.test", "10.2.2.2");
    dns.put("api.tether.test", "10.2.2.3");
    DnsjavaResolver resolver = DnsjavaResolver.system(resolvConf, hosts, dns.port(), REFRESH);

    assertThat(resolver.resolve("web.tether.test")).extracting(InetAddress::getHostAddress)
        .containsExactly("10.1.1.1", "fd00:0:0:0:0:0:0:1");
    assertThat(resolver.resolve("WEB")).extracting(InetAddress::getHostAddress)
        .containsExactly("10.1.1.1");
    assertThat(dns.questions()).isEmpty();
    assertThat(resolver.resolve("api.tether.test")).extracting(InetAddress::getHostAddress)
        .containsExactly("10.2.2.3");

    // Read again on every lookup: an edit counts at once.
    Files.writeString(hosts, "10.1.1.9 web.tether.test\n");
    assertThat(resolver.resolve("web.tether.test")).extracting(InetAddress::getHostAddress)
        .containsExactly("10.1.1.9");
    Files.delete(hosts);
    assertThat(resolver.resolve("web.tether.test")).extracting(InetAddress::getHostAddress)
        .containsExactly("10.2.2.2");
  }

  @Test
  void searchDomainsAndNdotsAreAppliedAsTheCLibraryAppliesThem() throws Exception {
    Path resolvConf = dir.resolve("resolv.conf");
    Files.writeString(resolvConf, "nameserver 127.0.0.1\nsearch svc.tether.test tether.test\n"
        + "options ndots:2 timeout:1\n");
    dns.put("web.tether.test", "10.3.3.3");
    dns.put("a.b.c", "10.3.3.4");
    DnsjavaResolver resolver =
        DnsjavaResolver.system(resolvConf, dir.resolve("no-hosts"), dns.port(), REFRESH);

    // Fewer dots than ndots: the search domains in order, then the name itself.
    assertThat(resolver.resolve("web")).extracting(InetAddress::getHostAddress)
        .containsExactly("10.3.3.3");
    assertThat(dns.questions()).startsWith("web.svc.tether.test./A", "web.tether.test./A");
    assertThat(dns.questions()).doesNotContain("web./A");

    // At least ndots dots: the name as written first.
    int before = dns.questions().size();
    assertThat(resolver.resolve("a.b.c")).extracting(InetAddress::getHostAddress)
        .containsExactly("10.3.3.4");
    assertThat(dns.questions().get(before)).isEqualTo("a.b.c./A");

    // A trailing dot: only the name itself.
    before = dns.questions().size();
    assertThat(resolver.resolve("web.tether.test.")).hasSize(1);
    assertThat(dns.questions().subList(before, dns.questions().size()))
        .containsExactly("web.tether.test./A", "web.tether.test./AAAA");

    // The file is read again on every lookup.
    Files.writeString(resolvConf, "nameserver 127.0.0.1\n");
    assertThat(resolver.resolve("web")).isEmpty();
  }

  @Test
  void theTryTimeoutFollowsTheRefreshRateWithinItsBounds() {
    assertThat(DnsjavaResolver.tryTimeout(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(500));
    assertThat(DnsjavaResolver.tryTimeout(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(DnsjavaResolver.tryTimeout(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(2));
  }

  private DnsjavaResolver servers() {
    return DnsjavaResolver.servers(List.of(server(dns)), REFRESH);
  }

  private static InetSocketAddress server(FakeDnsServer server) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
  }

  private Balancer balancer(String name) {
    Balancer balancer = Tether.balancer(Tether.parseConfig(Map.of(
        "endpoints", "dns:" + name + ":8080", "dnsRefreshRate", "1s",
        "dnsResolvers", dns.address(), "name", "dns-" + balancers.size())));
    balancers.add(balancer);
    return balancer;
  }

  private static List<String> addresses(Balancer balancer) {
    List<String> addresses = new ArrayList<>();
    for (Endpoint endpoint : balancer.endpoints()) {
      addresses.add(endpoint.address());
    }
    return addresses;
  }

  private static String error(Balancer balancer) {
    return ((RunningBalancer) balancer).runtime().discoveryError();
  }

  private static void awaitAddresses(Balancer balancer, Predicate<List<String>> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!wanted.test(addresses(balancer))) {
      assertThat(System.nanoTime() - deadline).as("endpoints now " + addresses(balancer))
          .isNegative();
      Thread.sleep(20);
    }
  }

  private static void awaitError(Balancer balancer, Predicate<String> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!wanted.test(error(balancer))) {
      assertThat(System.nanoTime() - deadline).as("discovery error now '" + error(balancer) + "'")
          .isNegative();
      Thread.sleep(20);
    }
  }
}
