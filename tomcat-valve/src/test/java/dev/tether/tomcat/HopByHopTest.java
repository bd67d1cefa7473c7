package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class HopByHopTest {
  @Test
  void withoutConnectionOnlyTheFixedFieldsAreDropped() {
    assertThat(HopByHop.namesToDrop(List.of())).containsExactlyInAnyOrder(
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade", "proxy-authenticate", "proxy-authorization");
  }

  @Test
  void fieldsNamedByConnectionAreDroppedWhateverTheirCase() {
    assertThat(HopByHop.namesToDrop(List.of("keep-alive, X-Private ,x-other", "Another")))
        .contains("x-private", "x-other", "another", "keep-alive", "upgrade")
        .doesNotContain("", "x-kept");
  }
}
