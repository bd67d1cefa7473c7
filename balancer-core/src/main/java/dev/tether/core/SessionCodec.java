package dev.tether.core;

import java.nio.charset.StandardCharsets;

/**
 * Reads and writes Envoy's stateful-session values, so that a session started behind an Istio
 * gateway continues behind Tether and back.
 *
 * <ul>
 *   <li>Header state: Base64 of {@code ip:port}.
 *   <li>Cookie state: Base64 of the protobuf {@code Cookie {address, expires}}; a value whose
 *       bytes do not parse as that protobuf is read in the legacy format, plain {@code ip:port}.
 * </ul>
 *
 * <p>Decoding never throws: anything malformed is an invalid value, which the balancer treats as
 * "no session".
 *
 * @see <a href="https://github.com/envoyproxy/envoy/tree/main/source/extensions/http/stateful_session">
 *     Envoy stateful_session extensions</a>
 */
final class SessionCodec {
  /**
   * The longest value read. Addresses are short; a longer value is a client's mistake or an attack
   * and is not worth decoding.
   */
  static final int MAX_VALUE_LENGTH = 4096;

  private SessionCodec() {}

  static String encodeHeader(String address) {
    return EnvoyBase64.encode(address.getBytes(StandardCharsets.UTF_8));
  }

  static String encodeCookie(String address, long expires) {
    return EnvoyBase64.encode(CookieProto.encode(address, expires));
  }

  static SessionValue decodeHeader(String value) {
    byte[] bytes = decodeBase64(value);
    if (bytes == null) {
      return SessionValue.invalid(base64Problem(value));
    }
    String address = Utf8.decodeStrict(bytes, 0, bytes.length);
    if (address == null || address.isEmpty()) {
      return SessionValue.invalid("address is not UTF-8 text");
    }
    return SessionValue.valid(address, 0, "header");
  }

  /**
   * Decodes a cookie value.
   *
   * @param nowSeconds the current Unix time, for expiry
   */
  static SessionValue decodeCookie(String value, long nowSeconds) {
    byte[] bytes = decodeBase64(value);
    if (bytes == null) {
      return SessionValue.invalid(base64Problem(value));
    }
    CookieProto.Fields fields = CookieProto.parse(bytes);
    if (fields != null) {
      if (fields.address().isEmpty()) {
        return SessionValue.invalid("protobuf without an address");
      }
      long expires = fields.expires();
      if (expires != 0 && Long.compareUnsigned(nowSeconds, expires) > 0) {
        return SessionValue.invalid("expired at " + Long.toUnsignedString(expires));
      }
      return SessionValue.valid(fields.address(), expires, "proto");
    }
    String legacy = Utf8.decodeStrict(bytes, 0, bytes.length);
    if (legacy == null) {
      return SessionValue.invalid("neither protobuf nor a legacy address");
    }
    return SessionValue.valid(legacy, 0, "legacy");
  }

  private static byte[] decodeBase64(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
      return null;
    }
    return EnvoyBase64.decode(value);
  }

  private static String base64Problem(String value) {
    if (value == null || value.isEmpty()) {
      return "empty value";
    }
    if (value.length() > MAX_VALUE_LENGTH) {
      return "longer than " + MAX_VALUE_LENGTH + " characters";
    }
    return "not canonical padded Base64";
  }
}
