package dev.tether.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.api.Outcome;
import dev.tether.api.SessionStatus;
import dev.tether.core.Inspection;
import dev.tether.core.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import javax.management.JMException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DrainingTest {
  private static final String THREE = "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80";
  private static final String A = "10.0.0.1:80";
  @TempDir Path dir;
  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  private Object invoke(String operation, String address) {
    try {
      return cluster.mbeans.invoke(cluster.balancerName(), operation, new Object[] {address},
          new String[] {String.class.getName()});
    } catch (JMException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aDrainedEndpointKeepsItsSessionsTakesNoNewOnesAndShowsWhatStillReachesIt() {
    cluster.start("endpoints", THREE, "sessionHeader", "s", "hashPolicy", "header:user");
    String pinned = Inspection.encodeHeaderSession(A);
    assertThat(invoke("drain", A)).isEqualTo(true);
    assertThat(cluster.health(A)).isEqualTo(Health.DRAINING);
    assertThat(cluster.mbean(cluster.endpointName(A), "Draining")).isEqualTo(true);
    assertThat(cluster.mbeanAttribute("DrainingEndpointCount")).isEqualTo("1");

    Decision session = cluster.balancer.route(TestRequest.get("/").header("s", pinned));
    assertThat(session.outcome()).isEqualTo(Outcome.SESSION);
    assertThat(session.endpoint().address()).isEqualTo(A);
    assertThat(cluster.balancer.responseHeaders(session, session.endpoint())).isEmpty();
    assertThat(cluster.spread(300)).doesNotContain(A);

    cluster.balancer.requestStarted(session.endpoint());
    cluster.balancer.requestStarted(session.endpoint());
    assertThat(cluster.mbean(cluster.endpointName(A), "RequestsInFlight")).isEqualTo(2);
    assertThat(cluster.mbean(cluster.endpointName(A), "DrainingRequests")).isEqualTo(2L);
    cluster.balancer.requestFinished(session.endpoint(), 200);
    cluster.balancer.requestFinished(session.endpoint(), 200);
    assertThat(cluster.mbean(cluster.endpointName(A), "RequestsInFlight")).isEqualTo(0);

    assertThat(invoke("undrain", A)).isEqualTo(true);
    assertThat(cluster.health(A)).isEqualTo(Health.HEALTHY);
    assertThat(cluster.spread(300)).contains(A);
  }

  @Test
  void withEnvoysDefaultOverrideHealthADrainedEndpointLosesItsSessions() {
    cluster.start("endpoints", THREE, "sessionHeader", "s",
        "sessionOverrideHealth", "UNKNOWN,HEALTHY,DEGRADED");
    invoke("drain", A);
    Decision moved = cluster.balancer.route(TestRequest.get("/")
        .header("s", Inspection.encodeHeaderSession(A)));
    assertThat(moved.session()).isEqualTo(SessionStatus.UNAVAILABLE_ENDPOINT);
    assertThat(moved.endpoint().address()).isNotEqualTo(A);
  }

  @Test
  void drainAcceptsAnySpellingOfTheAddressAndRefusesStrangers() {
    cluster.start("endpoints", "[2001:db8::1]:80,10.0.0.2:80");
    assertThat(invoke("drain", " [2001:DB8:0::1]:80 ")).isEqualTo(true);
    assertThat(cluster.health("[2001:db8::1]:80")).isEqualTo(Health.DRAINING);
    assertThat(invoke("drain", "10.0.0.9:80")).isEqualTo(false);
    assertThat(invoke("drain", "not an address")).isEqualTo(false);
  }

  @Test
  void theEndpointBeanDrainsToo() throws JMException {
    cluster.start("endpoints", THREE);
    cluster.mbeans.invoke(cluster.endpointName("10.0.0.2:80"), "drain", new Object[0], new String[0]);
    assertThat(cluster.health("10.0.0.2:80")).isEqualTo(Health.DRAINING);
  }

  @Test
  void anOperatorsDrainOutlivesRefreshesWhileTheAddressStays() {
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2"));
    cluster.start("endpoints", "dns:web:80");
    invoke("drain", A);
    cluster.dns.put("web", List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    cluster.advance(Duration.ofSeconds(5));
    assertThat(cluster.health(A)).isEqualTo(Health.DRAINING);
    assertThat(cluster.health("10.0.0.3:80")).isEqualTo(Health.HEALTHY);
  }

  @Test
  void drainingInTheEndpointsFileKeepsSessionsAndTurnsAwayNewOnes() throws IOException {
    write("[10.0.0.1:80, 10.0.0.2:80, 10.0.0.3:80]");
    cluster.start(dir, "endpoints", "file:eps.yaml", "sessionCookie", "route",
        "hashPolicy", "header:user");
    String cookie = "route=" + Inspection.encodeCookieSession(A, 0);
    write("""
        - {address: 10.0.0.1:80, health: DRAINING}
        - 10.0.0.2:80
        - 10.0.0.3:80
        """);
    cluster.advance(Duration.ofSeconds(1));
    Endpoint draining = cluster.endpoint(A);
    assertThat(draining.health()).isEqualTo(Health.DRAINING);
    Decision session = cluster.balancer.route(TestRequest.get("/").header("Cookie", cookie));
    assertThat(session.endpoint().address()).isEqualTo(A);
    assertThat(cluster.spread(300)).doesNotContain(A);
    cluster.balancer.requestStarted(session.endpoint());
    assertThat(cluster.mbean(cluster.endpointName(A), "DrainingRequests")).isEqualTo(1L);
  }

  private void write(String content) throws IOException {
    Path temp = dir.resolve("eps.tmp");
    Files.writeString(temp, content);
    Files.move(temp, dir.resolve("eps.yaml"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
