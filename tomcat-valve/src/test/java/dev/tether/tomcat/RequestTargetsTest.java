package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class RequestTargetsTest {
  @Test
  void aValidTargetIsForwardedByteForByte() {
    String target = "/a/b%2Fc;jsessionid=1?q=%E2%82%AC&x=a+b&y=!$'()*,;=:@/?";
    assertThat(RequestTargets.forBackend(target)).isSameAs(target);
  }

  @Test
  void charactersRfc3986ForbidsArePercentEncoded() {
    assertThat(RequestTargets.encodeIllegal("/p|q?a={b}&c=[d]&e=\"f\"&g=h^i`j\\k"))
        .isEqualTo("/p%7Cq?a=%7Bb%7D&c=%5Bd%5D&e=%22f%22&g=h%5Ei%60j%5Ck");
    assertThat(RequestTargets.encodeIllegal("/100%?x=%g1&y=%4")).isEqualTo("/100%25?x=%25g1&y=%254");
  }

  @Test
  void bytesBeyondAsciiControlsAndSpacesAreEncodedOneByteEach() {
    // Tomcat gives the raw target as ISO-8859-1: each char is the byte the client sent.
    assertThat(RequestTargets.forBackend("/caf\u00e9 x\u0001")).isEqualTo("/caf%E9%20x%01");
  }

  @Test
  void aTargetNotInOriginFormIsRefused() {
    assertThat(RequestTargets.forBackend("*")).isNull();
    assertThat(RequestTargets.forBackend("")).isNull();
  }
}
