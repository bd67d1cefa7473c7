package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.CookieAttribute;
import dev.tether.api.HashPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class RequestHasherTest {

  @Test
  void headerPolicyHashesTheValue() {
    RequestHash hash = RequestHasher.hash(List.of(HashPolicy.header("x-user")),
        TestRequest.get("/").header("X-User", "alice"));
    assertThat(hash.present()).isTrue();
    assertThat(hash.hash()).isEqualTo(XxHash64.hash("alice"));
  }

  @Test
  void headerValuesInAnyOrderHashAlike() {
    List<HashPolicy> policies = List.of(HashPolicy.header("x-k"));
    long ab = RequestHasher.hash(policies, TestRequest.get("/").header("x-k", "a").header("x-k", "b")).hash();
    long ba = RequestHasher.hash(policies, TestRequest.get("/").header("x-k", "b").header("x-k", "a")).hash();
    assertThat(ab).isEqualTo(ba).isEqualTo(XxHash64.hash("b", XxHash64.hash("a")));
  }

  @Test
  void missingHeaderYieldsNoHash() {
    assertThat(RequestHasher.hash(List.of(HashPolicy.header("x-user")), TestRequest.get("/")).present())
        .isFalse();
  }

  @Test
  void cookiePolicyTakesFirstExactMatchAndStripsOneQuotePair() {
    List<HashPolicy> policies = List.of(HashPolicy.cookie("sid", null, ""));
    TestRequest request = TestRequest.get("/")
        .header("Cookie", "SID=upper; sidx=other;  sid=\"v1\"; sid=v2")
        .header("Cookie", "sid=v3");
    assertThat(RequestHasher.hash(policies, request).hash()).isEqualTo(XxHash64.hash("v1"));
  }

  @Test
  void emptyCookieValueCountsAsAbsent() {
    List<HashPolicy> policies = List.of(HashPolicy.cookie("sid", null, ""));
    assertThat(RequestHasher.hash(policies, TestRequest.get("/").header("Cookie", "sid=")).present())
        .isFalse();
  }

  @Test
  void missingCookieWithTtlIsGeneratedFromTheConnectionAddresses() {
    HashPolicy policy = new HashPolicy(HashPolicy.Type.COOKIE, "sticky", Duration.ofSeconds(3600),
        "/app", List.of(new CookieAttribute("SameSite", "Lax"), new CookieAttribute("Secure", "")),
        false);
    RequestHash hash = RequestHasher.hash(List.of(policy),
        TestRequest.get("/").from("10.1.1.1", 40000).to("10.0.0.9", 8080));
    String value = RequestHasher.hex16(XxHash64.hash("10.1.1.1:40000" + "10.0.0.9:8080"));
    assertThat(value).isEqualTo("b64390fbf5612d08");
    assertThat(hash.hash()).isEqualTo(XxHash64.hash(value));
    assertThat(hash.setCookie()).isEqualTo(
        "sticky=\"b64390fbf5612d08\"; Max-Age=3600; Path=/app; SameSite=Lax; Secure; HttpOnly");
  }

  @Test
  void generatedCookieWithZeroTtlIsASessionCookie() {
    HashPolicy policy = HashPolicy.cookie("sticky-session-key", Duration.ZERO, "");
    RequestHash hash = RequestHasher.hash(List.of(policy), TestRequest.get("/"));
    assertThat(hash.setCookie()).matches("sticky-session-key=\"[0-9a-f]{16}\"; HttpOnly");
  }

  @Test
  void subSecondTtlTruncatesToNoMaxAge() {
    HashPolicy policy = HashPolicy.cookie("c", Duration.ofMillis(500), "");
    assertThat(RequestHasher.hash(List.of(policy), TestRequest.get("/")).setCookie())
        .doesNotContain("Max-Age");
  }

  @Test
  void generatedCookieForIpv6ClientUsesBracketedCanonicalAddresses() {
    HashPolicy policy = HashPolicy.cookie("c", Duration.ZERO, "");
    RequestHash hash = RequestHasher.hash(List.of(policy),
        TestRequest.get("/").from("0:0:0:0:0:0:0:1", 5000).to("::1", 8080));
    String value = RequestHasher.hex16(XxHash64.hash("[::1]:5000[::1]:8080"));
    assertThat(hash.setCookie()).contains("\"" + value + "\"");
  }

  @Test
  void sourceIpHashesTheCanonicalAddressWithoutPort() {
    List<HashPolicy> policies = List.of(HashPolicy.sourceIp());
    assertThat(RequestHasher.hash(policies, TestRequest.get("/").from("10.1.2.3", 555)).hash())
        .isEqualTo(XxHash64.hash("10.1.2.3"));
    assertThat(RequestHasher.hash(policies,
        TestRequest.get("/").from("2001:DB8:0:0:0:0:0:1", 555)).hash())
        .isEqualTo(XxHash64.hash("2001:db8::1"));
  }

  @Test
  void queryParameterHashesFirstRawValue() {
    List<HashPolicy> policies = List.of(HashPolicy.queryParameter("user"));
    assertThat(RequestHasher.hash(policies, TestRequest.get("/p?x=1&user=a%20b&user=c")).hash())
        .isEqualTo(XxHash64.hash("a%20b"));
    assertThat(RequestHasher.hash(policies, TestRequest.get("/p?user")).hash())
        .isEqualTo(XxHash64.hash(""));
    assertThat(RequestHasher.hash(policies, TestRequest.get("/p?username=x")).present()).isFalse();
    assertThat(RequestHasher.hash(policies, TestRequest.get("/p")).present()).isFalse();
  }

  @Test
  void severalPoliciesRotateAndXorInOrder() {
    List<HashPolicy> policies = List.of(HashPolicy.header("a"), HashPolicy.header("b"));
    long hash = RequestHasher.hash(policies, TestRequest.get("/").header("a", "1").header("b", "2")).hash();
    assertThat(hash).isEqualTo(Long.rotateLeft(XxHash64.hash("1"), 1) ^ XxHash64.hash("2"));
    // Two identical policies do not cancel out.
    List<HashPolicy> twice = List.of(HashPolicy.header("a"), HashPolicy.header("a"));
    assertThat(RequestHasher.hash(twice, TestRequest.get("/").header("a", "1")).hash()).isNotZero();
  }

  @Test
  void terminalPolicyStopsOnceAHashExists() {
    List<HashPolicy> policies = List.of(HashPolicy.header("a").asTerminal(), HashPolicy.header("b"));
    assertThat(RequestHasher.hash(policies, TestRequest.get("/").header("a", "1").header("b", "2")).hash())
        .isEqualTo(XxHash64.hash("1"));
    // Without a value from the terminal policy, evaluation goes on.
    assertThat(RequestHasher.hash(policies, TestRequest.get("/").header("b", "2")).hash())
        .isEqualTo(XxHash64.hash("2"));
    // A later terminal policy stops the list when an earlier one produced the hash (Envoy checks
    // the accumulated hash).
    List<HashPolicy> late = List.of(HashPolicy.header("a"), HashPolicy.header("b").asTerminal(),
        HashPolicy.header("c"));
    assertThat(RequestHasher.hash(late, TestRequest.get("/").header("a", "1").header("c", "3")).hash())
        .isEqualTo(XxHash64.hash("1"));
  }
}
