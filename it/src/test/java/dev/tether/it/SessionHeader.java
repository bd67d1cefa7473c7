package dev.tether.it;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Envoy's header session state as Istio's {@code persistent-session-header} uses it: the value is
 * standard Base64, with padding, of the endpoint's {@code ip:port}.
 */
final class SessionHeader {

  static final String NAME = "x-session-header";

  private SessionHeader() {}

  /** The header value that names {@code address}. */
  static String of(String address) {
    return Base64.getEncoder().encodeToString(address.getBytes(StandardCharsets.US_ASCII));
  }

  /** The address a (well-formed) header value names. */
  static String decode(String value) {
    return new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
  }
}
