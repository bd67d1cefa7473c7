package dev.tether.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.stub.Stuck;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The books check can fail: each of its parts, seen to catch what it is there for. */
@Timeout(30)
final class BooksTest {
  private static final Duration SHORT = Duration.ofMillis(200);

  @Test
  void balancedBooksPassAndReadTheBeansByTheirQuotedNames() throws Exception {
    try (FakeBeans beans = new FakeBeans("books-1", "127.0.0.1:9001")) {
      Books.balance(List.of(new Books.Balancer(beans.names(), List.of("127.0.0.1:9001"))),
          List.of(), SHORT);
      assertThat(beans.names().endpoints()).containsExactly("127.0.0.1:9001");
    }
  }

  @Test
  void anEndpointInFlightOrATunnelLeftOpenUnbalancesTheBooks() throws Exception {
    try (FakeBeans beans = new FakeBeans("books-2", "127.0.0.1:9001")) {
      List<Books.Balancer> balancers =
          List.of(new Books.Balancer(beans.names(), List.of("127.0.0.1:9001")));
      beans.inFlight.set(1);
      assertThatThrownBy(() -> Books.balance(balancers, List.of(), SHORT))
          .hasMessageContaining("RequestsInFlight = 1");
      beans.inFlight.set(0);
      beans.endpointTunnels.set(1);
      beans.balancerTunnels.set(1);
      assertThatThrownBy(() -> Books.balance(balancers, List.of(), SHORT))
          .hasMessageContaining("OpenTunnels = 1")
          .hasMessageContaining("name=books-2 OpenTunnels = 1");
    }
  }

  @Test
  void aMissingBalancerOrEndpointBeanUnbalancesTheBooks() throws Exception {
    try (FakeBeans beans = new FakeBeans("books-3", "127.0.0.1:9001")) {
      assertThatThrownBy(() -> Books.balance(
          List.of(new Books.Balancer(beans.names(), List.of("127.0.0.1:9002"))), List.of(), SHORT))
          .hasMessageContaining("no JMX bean dev.tether:type=Endpoint,balancer=books-3,"
              + "address=\"127.0.0.1:9002\"");
    }
    assertThatThrownBy(() -> Books.balance(
        List.of(new Books.Balancer(new TetherBeans("books-none"), List.of())), List.of(), SHORT))
        .hasMessageContaining("name key");
  }

  @Test
  void aBusyBackendUnbalancesTheBooksUntilItsPeerLeaves() throws Exception {
    try (HangingBackend hang = HangingBackend.start("hang")) {
      RawClient client = RawClient.connect(hang.port());
      client.send("GET", "/", null);
      Await.until(Duration.ofSeconds(5), "the request", () -> hang.busyConnections() == 1);
      assertThatThrownBy(() -> Books.balance(List.of(), List.of(hang), SHORT))
          .hasMessageContaining("hang").hasMessageContaining("1 busy connection");
      client.close();
      Books.balance(List.of(), List.of(hang), Duration.ofSeconds(5));
    }
  }

  @Test
  void aThreadInsideTetherCodeUnbalancesTheBooksUnlessItIsTethersOwn() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Thread stuck = Stuck.in("request-worker-7", release);
    Thread own = Stuck.in("tether-demo-io-1", release);
    try {
      Await.until(Duration.ofSeconds(5), "the thread to wait",
          () -> stuck.getState() == Thread.State.WAITING && own.getState() == Thread.State.WAITING);
      assertThat(Books.threadsInTether()).hasSize(1).first().asString()
          .contains("request-worker-7").contains("dev.tether.stub.Stuck");
      assertThatThrownBy(() -> Books.balance(List.of(), List.of(), SHORT))
          .hasMessageContaining("request-worker-7");
    } finally {
      release.countDown();
      stuck.join(5000);
      own.join(5000);
    }
    Books.balance(List.of(), List.of(), Duration.ofSeconds(5));
  }
}
