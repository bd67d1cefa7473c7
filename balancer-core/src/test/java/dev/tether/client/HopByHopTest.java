package dev.tether.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class HopByHopTest {
  @Test
  void withoutConnectionOnlyTheFixedFieldsAreDropped() {
    assertThat(HopByHop.ALWAYS).containsExactlyInAnyOrder(
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade", "proxy-authenticate", "proxy-authorization");
    Set<String> listed = HopByHop.connectionListed(List.of());
    assertThat(listed).isEmpty();
    for (String name : HopByHop.ALWAYS) {
      assertThat(HopByHop.isHopByHop(name, listed)).as(name).isTrue();
    }
    assertThat(HopByHop.isHopByHop("x-kept", listed)).isFalse();
  }

  @Test
  void fieldsNamedByConnectionAreDroppedWhateverTheirCase() {
    Set<String> listed =
        HopByHop.connectionListed(List.of("keep-alive, X-Private ,x-other", "Another"));
    assertThat(listed).containsExactlyInAnyOrder("x-private", "x-other", "another");
    for (String name : List.of("x-private", "x-other", "another", "keep-alive", "upgrade")) {
      assertThat(HopByHop.isHopByHop(name, listed)).as(name).isTrue();
    }
    for (String name : List.of("", "x-kept")) {
      assertThat(HopByHop.isHopByHop(name, listed)).as(name).isFalse();
    }
  }
}
