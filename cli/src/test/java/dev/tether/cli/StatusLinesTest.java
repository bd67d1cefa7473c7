package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class StatusLinesTest {
  private static final EndpointStatus SERVING = new EndpointStatus("10.0.0.1:8080", "HEALTHY",
      false, false, 2, 1234, 567, 21846, 1.0 / 3);
  private static final EndpointStatus DRAINED = new EndpointStatus("[2001:db8::1]:8080",
      "DRAINING", false, true, 0, 9, 9, 0, 0);

  @Test
  void anEndpointIsItsAddressThenOneKeyValuePerField() {
    assertThat(SERVING.line()).isEqualTo("10.0.0.1:8080 health=HEALTHY ejected=false"
        + " draining=false inFlight=2 requests=1234 pinned=567 entries=21846 share=0.333333");
    assertThat(DRAINED.line()).isEqualTo("[2001:db8::1]:8080 health=DRAINING ejected=false"
        + " draining=true inFlight=0 requests=9 pinned=9 entries=0 share=0.000000");
  }

  @Test
  void aBalancerIsAHeadingThenItsEndpointsInItsOrder() {
    BalancerStatus status = new BalancerStatus("shop", "static endpoints", 1, 0, 1,
        List.of(DRAINED, SERVING));
    assertThat(status.lines()).containsExactly(
        "balancer shop (static endpoints): 2 endpoints, 1 healthy, 0 ejected, 1 draining",
        DRAINED.line(), SERVING.line());
    assertThat(status.endpoint("10.0.0.1:8080")).isEqualTo(SERVING);
    assertThat(status.endpoint("10.0.0.9:8080")).isNull();
  }

  @Test
  void theShareIsPrintedInTheRootLocale() {
    java.util.Locale saved = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);
      assertThat(SERVING.line()).endsWith("share=0.333333");
    } finally {
      java.util.Locale.setDefault(saved);
    }
  }
}
