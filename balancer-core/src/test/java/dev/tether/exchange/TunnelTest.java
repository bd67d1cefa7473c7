package dev.tether.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Exchange;
import dev.tether.api.Failure;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One tunnel's life: half-close, idle clock, one report to the exchange. */
final class TunnelTest {
  private final AtomicLong now = new AtomicLong(5_000L);
  private final CountingBalancer balancer = new CountingBalancer("endpoints", "10.0.0.1:80");

  @AfterEach
  void close() {
    assertThat(balancer.inFlight()).isZero();
    assertThat(balancer.tunnels()).isZero();
    balancer.close();
  }

  private Exchange tunnelled() {
    Exchange exchange = Exchanges.proxy(balancer, now::get).open(Request.get("/").websocket());
    exchange.start();
    assertThat(exchange.responded(101)).isEqualTo(Exchange.Step.TUNNEL);
    return exchange;
  }

  @Test
  void aTunnelIsOverWhenBothDirectionsEndedInEitherOrder() {
    Tunnel first = new Tunnel(tunnelled(), 0, now::get);
    assertThat(first.clientToServerEnded()).as("half-closed: the other way goes on").isFalse();
    assertThat(first.isOver()).isFalse();
    assertThat(first.serverToClientEnded()).isTrue();
    assertThat(first.isOver()).isTrue();

    Tunnel second = new Tunnel(tunnelled(), 0, now::get);
    assertThat(second.serverToClientEnded()).isFalse();
    assertThat(second.clientToServerEnded()).isTrue();
    assertThat(balancer.calls).filteredOn(c -> c.startsWith("finished")).hasSize(2)
        .allMatch(c -> c.endsWith(" 101"));
  }

  @Test
  void everyByteRestartsTheIdleClock() {
    Tunnel tunnel = new Tunnel(tunnelled(), 1_000, now::get);
    assertThat(tunnel.idleLeft()).isEqualTo(1_000);
    now.addAndGet(900);
    tunnel.activity();
    now.addAndGet(900);
    assertThat(tunnel.idleLeft()).isEqualTo(100);
    now.addAndGet(100);
    assertThat(tunnel.idleLeft()).isLessThanOrEqualTo(0);
    assertThat(tunnel.end(Failure.IDLE_TIMEOUT)).isTrue();
    assertThat(balancer.calls).last().asString().endsWith(" IDLE_TIMEOUT");
  }

  @Test
  void noIdleTimeoutNeverExpires() {
    Tunnel tunnel = new Tunnel(tunnelled(), 0, now::get);
    now.addAndGet(Long.MAX_VALUE / 2);
    assertThat(tunnel.idleLeft()).isEqualTo(Long.MAX_VALUE);
    tunnel.end(null);
  }

  @Test
  void theExchangeHearsOfTheEndOnce() {
    Tunnel tunnel = new Tunnel(tunnelled(), 0, now::get);
    assertThat(tunnel.end(Failure.RESET_DURING_BODY)).isTrue();
    assertThat(tunnel.end(null)).isFalse();
    assertThat(tunnel.clientToServerEnded()).isFalse();
    assertThat(tunnel.serverToClientEnded()).isFalse();
    assertThat(balancer.calls).filteredOn(c -> c.startsWith("failed") || c.startsWith("finished"))
        .hasSize(1);
  }
}
