package dev.tether.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The contract's own Envoy session values against the vectors of spec/affinity.md section 9. */
final class SessionValuesTest {

  @Test
  void headerValueIsBase64OfIpAndPort() {
    assertThat(SessionValues.header("1.2.3.4:80")).isEqualTo("MS4yLjMuNDo4MA==");
    assertThat(SessionValues.header("10.0.0.1:8080")).isEqualTo("MTAuMC4wLjE6ODA4MA==");
  }

  @Test
  void cookieValueIsBase64OfTheProtobufAddress() {
    assertThat(SessionValues.cookie("1.2.3.4:80")).isEqualTo("CgoxLjIuMy40Ojgw");
    assertThat(SessionValues.cookie("10.0.0.1:8080")).isEqualTo("Cg0xMC4wLjAuMTo4MDgw");
    assertThat(SessionValues.cookie("[2001:db8::1]:8080"))
        .isEqualTo("ChJbMjAwMTpkYjg6OjFdOjgwODA=");
  }

  @Test
  void setCookieQuotesTheValueWithPathAndHttpOnly() {
    assertThat(SessionValues.setCookie("override_host", "1.2.3.4:80"))
        .isEqualTo("override_host=\"CgoxLjIuMy40Ojgw\"; Path=/; HttpOnly");
  }
}
