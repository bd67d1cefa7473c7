package dev.tether.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz target for the {@code Cookie} header parser that finds the session and hash cookies.
 *
 * <p>The input is Latin-1 text: its first line is the cookie name looked for, every further line
 * one {@code Cookie} header. Seeds are under {@code RequestCookiesFuzzTestInputs/cookieHeaders}.
 */
final class RequestCookiesFuzzTest {
  /**
   * What is found is always a value some header gives the name (one pair of quotes stripped) and
   * never spans a {@code ;}; and a pair {@code name=value} put in front of the headers, or behind
   * headers that do not mention the name, is the one found.
   */
  @FuzzTest
  void cookieHeaders(byte[] data) {
    List<String> lines =
        Arrays.asList(new String(data, StandardCharsets.ISO_8859_1).split("\n", -1));
    String name = cookieName(lines.get(0));
    List<String> headers = lines.subList(1, lines.size());

    String found = RequestCookies.value(headers, name);
    assertThat(found).doesNotContain(";");
    if (!found.isEmpty()) {
      assertThat(headers).as("a header giving %s the value %s", name, found)
          .anyMatch(h -> h.contains(name + "=" + found) || h.contains(name + "=\"" + found + "\""));
    }

    String value = headers.isEmpty() ? "v" : headers.get(0).replace(";", "");
    String expected = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1) : value;
    List<String> first = new ArrayList<>();
    first.add("  " + name + "=" + value);
    first.addAll(headers);
    assertThat(RequestCookies.value(first, name)).isEqualTo(expected);

    List<String> last = new ArrayList<>();
    for (String h : headers) {
      if (!h.contains(name)) {
        last.add(h);
      }
    }
    last.add("x" + name + "=1; " + name + "=" + value);
    assertThat(RequestCookies.value(last, name)).isEqualTo(expected);
  }

  /** A cookie name (RFC 6265 token) made of the line's token characters; "s" when none. */
  private static String cookieName(String line) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0) {
        name.append(c);
      }
    }
    return name.length() == 0 ? "s" : name.toString();
  }
}
