package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class RequestTargetsTest {
  @Test
  void aValidTargetIsForwardedByteForByte() throws Exception {
    String target = "/a/b%2Fc;jsessionid=1?q=%E2%82%AC&x=a+b&y=!$'()*,;=:@/?";
    assertThat(RequestTargets.encodeIllegal(target)).isSameAs(target);
    assertThat(RequestTargets.uri("127.0.0.1:8080", target).getRawPath()).isEqualTo("/a/b%2Fc;jsessionid=1");
    assertThat(RequestTargets.uri("[::1]:8080", "/").getHost()).isEqualTo("[::1]");
  }

  @Test
  void charactersJavaNetUriRejectsArePercentEncoded() throws Exception {
    assertThat(RequestTargets.encodeIllegal("/p|q?a={b}&c=[d]&e=\"f\"&g=h^i`j\\k"))
        .isEqualTo("/p%7Cq?a=%7Bb%7D&c=%5Bd%5D&e=%22f%22&g=h%5Ei%60j%5Ck");
    assertThat(RequestTargets.encodeIllegal("/100%?x=%g1&y=%4")).isEqualTo("/100%25?x=%25g1&y=%254");
    assertThat(RequestTargets.encodeIllegal("/caf\u00e9")).isEqualTo("/caf%E9");
    assertThat(RequestTargets.uri("127.0.0.1:1", "/p|q?a={b}").getRawQuery()).isEqualTo("a=%7Bb%7D");
  }
}
