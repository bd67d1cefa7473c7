package dev.tether.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.HeaderFields;
import dev.tether.client.HopByHop;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The header rules of both legs, written once for every front end. */
final class ForwardingHeadersTest {

  private static List<String> request(Request request, boolean upgrade) {
    List<String> lines = new ArrayList<>();
    ForwardingHeaders.request(request, upgrade, ExchangeTest.sink(lines));
    return lines;
  }

  @Test
  void hostGoesFirstAndTheClientsFieldsFollowInOrder() {
    assertThat(request(Request.get("/").header("Accept", "*/*").header("Host", "shop.example")
        .header("X-A", "1").header("x-a", "2"), false)).containsExactly(
        "add Host: shop.example", "add Accept: */*", "add X-A: 1", "add x-a: 2",
        "add X-Forwarded-For: 10.1.1.1", "add X-Forwarded-Proto: http",
        "add X-Forwarded-Host: shop.example");
  }

  @Test
  void hopByHopFieldsAndTheNamesConnectionListsAreDropped() {
    Request request = Request.get("/").header("Connection", "keep-alive, X-Secret")
        .header("Keep-Alive", "timeout=5").header("X-Secret", "s").header("TE", "trailers")
        .header("Transfer-Encoding", "chunked").header("Upgrade", "websocket")
        .header("Proxy-Authorization", "Basic x").header("Proxy-Connection", "close")
        .header("Trailer", "X").header("Content-Length", "3").header("Expect", "100-continue")
        .header("X-Kept", "k");
    assertThat(request(request, false)).containsExactly("add X-Kept: k",
        "add X-Forwarded-For: 10.1.1.1", "add X-Forwarded-Proto: http");
  }

  @Test
  void everyAlwaysHopByHopNameIsDroppedInAnyCase() {
    for (String name : HopByHop.ALWAYS) {
      for (String spelled : List.of(name, name.toUpperCase(Locale.ROOT))) {
        assertThat(request(Request.get("/").header(spelled, "v"), false)).as(spelled)
            .noneMatch(line -> line.startsWith("add " + spelled + ":"));
      }
    }
  }

  @Test
  void forwardedForIsAppendedAsEnvoyAppendsIt() {
    assertThat(request(Request.get("/").header("X-Forwarded-For", "203.0.113.9, 10.0.0.5")
        .header("x-forwarded-for", "").header("X-Forwarded-For", "192.0.2.1"), false))
        .contains("add X-Forwarded-For: 203.0.113.9, 10.0.0.5,192.0.2.1,10.1.1.1");
    assertThat(request(Request.get("/").header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "evil"), false)).containsExactly(
        "add X-Forwarded-For: 10.1.1.1", "add X-Forwarded-Proto: http");
    assertThat(request(Request.get("/").scheme("https"), false))
        .contains("add X-Forwarded-Proto: https");
  }

  @Test
  void cookiesAreJoinedIntoOneField() {
    assertThat(request(Request.get("/").header("Cookie", "a=1").header("X", "x")
        .header("cookie", "b=2; c=3"), false))
        .containsSubsequence("add X: x", "add Cookie: a=1; b=2; c=3");
  }

  @Test
  void anUpgradeSaysSoToTheBackend() {
    assertThat(request(Request.get("/").websocket(), true)).containsSubsequence(
        "add Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "add Sec-WebSocket-Version: 13",
        "add Connection: Upgrade", "add Upgrade: websocket");
  }

  @Test
  void theBackendsHopByHopFieldsStayOnItsHop() {
    List<String> lines = new ArrayList<>();
    ForwardingHeaders.response(fields("Connection", "close, X-Hop", "X-Hop", "1",
        "Set-Cookie", "a=1", "Set-Cookie", "b=2", "Transfer-Encoding", "chunked",
        "Keep-Alive", "timeout=5", "Content-Type", "text/html"), false, List.of(),
        ExchangeTest.sink(lines));
    assertThat(lines).containsExactly("add Set-Cookie: a=1", "add Set-Cookie: b=2",
        "add Content-Type: text/html");
  }

  @Test
  void a101WithoutUpgradeNamesTheProtocolTheClientAskedFor() {
    List<String> lines = new ArrayList<>();
    ForwardingHeaders.response(fields("connection", "upgrade"), true, List.of("websocket"),
        ExchangeTest.sink(lines));
    assertThat(lines).containsExactly("set Connection: Upgrade", "set Upgrade: websocket");
  }

  private static HeaderFields fields(String... namesAndValues) {
    return new HeaderFields() {
      @Override
      public int size() {
        return namesAndValues.length / 2;
      }

      @Override
      public String name(int index) {
        return namesAndValues[2 * index];
      }

      @Override
      public String value(int index) {
        return namesAndValues[2 * index + 1];
      }
    };
  }
}
