package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.core.cluster.FakeDnsServer;
import dev.tether.it.harness.Backend;
import dev.tether.it.harness.Client;
import dev.tether.it.harness.ContainerKind;
import dev.tether.it.harness.Poll;
import dev.tether.it.harness.ProxyContainer;
import dev.tether.it.harness.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code endpoints=dns:NAME:PORT} resolved by Tether's own DNS client inside a real container,
 * the drop-in jar's relocated dnsjava asking a DNS server of the test's on 127.0.0.1
 * ({@code dnsResolvers=127.0.0.1:PORT}, {@code dnsRefreshRate=1s}). The server's records carry an
 * hour's TTL, and the JVM's own cache would keep an answer 30 s: the proxy following a changed
 * record within a couple of seconds shows that neither is in the way. Two backends serve one
 * port on two loopback addresses, 127.0.0.2 and 127.0.0.3, as the replicas behind a headless
 * Service do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DnsScenarios {
  static final String NAME = "backends.tether.test";
  /** One refresh, a request's round trip and a loaded 2-core machine. */
  static final Duration FOLLOWS_WITHIN = Duration.ofSeconds(3);
  static final Duration WAIT = Duration.ofSeconds(15);

  private final ContainerKind kind;
  private final Client client = new Client();
  private FakeDnsServer dns;
  private Backend first;
  private Backend second;
  private ProxyContainer proxy;

  DnsScenarios(ContainerKind kind) {
    this.kind = kind;
  }

  @BeforeAll
  void start() {
    dns = FakeDnsServer.start();
    first = Backend.start("dns-a", "127.0.0.2", 0);
    second = startOnSamePort("dns-b", "127.0.0.3", first.port());
    dns.put(NAME, "127.0.0.2");
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("endpoints", "dns:" + NAME + ":" + first.port());
    keys.put("dnsRefreshRate", "1s");
    keys.put("dnsResolvers", dns.address());
    proxy = kind.create();
    proxy.start(keys);
  }

  @AfterAll
  void stop() {
    if (proxy != null) {
      proxy.stop();
    }
    for (AutoCloseable closeable : new AutoCloseable[] {first, second, dns}) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Test
  void theProxyFollowsAChangedRecordWithinARefreshAndEmptiesOnNxdomain() {
    assertThat(awaitInstance("the first answer's backend", "dns-a", WAIT)).isEqualTo("dns-a");
    assertThat(dns.questions()).contains(NAME + "./A", NAME + "./AAAA");

    dns.put(NAME, "127.0.0.3");
    long changed = System.nanoTime();
    awaitInstance("the changed record's backend", "dns-b", WAIT);
    Duration followed = Duration.ofNanos(System.nanoTime() - changed);
    System.out.println(proxy.label() + ": followed the changed record after " + followed.toMillis()
        + " ms");
    assertThat(followed).as("followed the record after " + followed).isLessThan(FOLLOWS_WITHIN);
    // Once moved, only the new address is used.
    for (int i = 0; i < 10; i++) {
      assertThat(client.get(proxy.baseUri(), "/hello").instance()).isEqualTo("dns-b");
    }

    dns.remove(NAME);
    Poll.until("503 no healthy upstream once the name is gone (log " + proxy.log() + ")", WAIT,
        () -> {
          Reply reply = client.get(proxy.baseUri(), "/hello");
          return reply.status() == 503 && reply.body().contains("no healthy upstream")
              ? Optional.of(reply) : Optional.empty();
        });

    dns.put(NAME, "127.0.0.2", "127.0.0.3");
    Set<String> seen = Poll.until("both backends once both are answered", WAIT, () -> {
      Set<String> instances = new TreeSet<>();
      for (int i = 0; i < 20; i++) {
        String instance = client.get(proxy.baseUri(), "/hello").instance();
        if (instance != null) {
          instances.add(instance);
        }
      }
      return instances.size() == 2 ? Optional.of(instances) : Optional.empty();
    });
    assertThat(seen).containsExactly("dns-a", "dns-b");
  }

  @Test
  void theRelocatedDnsClientLogsThroughTheContainerAndTakesNoResolverOver() throws IOException {
    awaitInstance("a served request", null, WAIT);
    String log = Files.readString(proxy.log(), StandardCharsets.UTF_8);
    // An SLF4J without a provider, or two bindings, would say so on the console.
    assertThat(log).doesNotContain("SLF4J").doesNotContain("NoClassDefFoundError")
        .doesNotContain("ServiceConfigurationError");
  }

  /** The instance answering {@code /hello}, once it is {@code wanted} (null: any). */
  private String awaitInstance(String what, String wanted, Duration timeout) {
    return Poll.until(what + " (log " + proxy.log() + ")", timeout, () -> {
      Reply reply = client.get(proxy.baseUri(), "/hello");
      String instance = reply.status() == 200 ? reply.instance() : null;
      return instance != null && (wanted == null || wanted.equals(instance))
          ? Optional.of(instance) : Optional.empty();
    });
  }

  /** A second backend on {@code port} of another loopback address; that port is free there. */
  private static Backend startOnSamePort(String name, String host, int port) {
    try {
      return Backend.start(name, host, port);
    } catch (RuntimeException e) {
      throw new UncheckedIOException(new IOException(
          "port " + port + " is taken on " + host + "; rerun", e));
    }
  }
}
