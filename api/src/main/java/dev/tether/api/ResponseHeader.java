package dev.tether.api;

import java.util.Objects;

/**
 * A header the proxy must put on its response to the client.
 *
 * @param name header name
 * @param value header value
 * @param replace true when the header replaces any value the backend sent (the session header),
 *     false when it is added beside them ({@code Set-Cookie})
 */
public record ResponseHeader(String name, String value, boolean replace) {
  public ResponseHeader {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
