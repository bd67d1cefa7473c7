package dev.tether.it.harness;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Optional;

/**
 * One response as the client saw it.
 *
 * @param status HTTP status
 * @param headers response headers
 * @param body response body, UTF-8
 */
public record Reply(int status, HttpHeaders headers, String body) {

  /** The backend instance that answered ({@code x-backend-instance}); null when none did. */
  public String instance() {
    return headers.firstValue("x-backend-instance").orElse(null);
  }

  /** The first value of header {@code name}. */
  public Optional<String> header(String name) {
    return headers.firstValue(name);
  }

  /** Every {@code Set-Cookie} value. */
  public List<String> setCookies() {
    return headers.allValues("set-cookie");
  }

  /** The {@code Set-Cookie} values that set cookie {@code name}. */
  public List<String> setCookies(String name) {
    return setCookies().stream().filter(c -> c.startsWith(name + "=")).toList();
  }

  @Override
  public String toString() {
    return status + " " + headers.map() + " " + (body.length() > 200 ? body.substring(0, 200) + "..." : body);
  }
}
