package dev.tether.contract;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Envoy's stateful-session values, computed independently of Tether (its spec,
 * {@code spec/affinity.md} section 7, after Envoy's {@code stateful_session} header and cookie
 * extensions), so the contract checks the front end's values rather than echoing its code.
 *
 * <ul>
 *   <li>Header: standard Base64 with padding of {@code ip:port}.
 *   <li>Cookie: standard Base64 with padding of the protobuf
 *       {@code message Cookie { string address = 1; uint64 expires = 2; }} with only field 1
 *       (no TTL): {@code 0x0A}, the address length, the address; sent as
 *       {@code Set-Cookie: name="value"; Path=/; HttpOnly}.
 * </ul>
 */
final class SessionValues {
  private SessionValues() {}

  /** The header value naming {@code address}. */
  static String header(String address) {
    return Base64.getEncoder().encodeToString(address.getBytes(StandardCharsets.US_ASCII));
  }

  /** The cookie value naming {@code address}, without TTL. */
  static String cookie(String address) {
    byte[] bytes = address.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length > 127) {
      throw new IllegalArgumentException("address: " + address + " (expected: under 128 bytes)");
    }
    ByteArrayOutputStream proto = new ByteArrayOutputStream();
    proto.write(0x0A);
    proto.write(bytes.length);
    proto.write(bytes, 0, bytes.length);
    return Base64.getEncoder().encodeToString(proto.toByteArray());
  }

  /** The {@code Set-Cookie} value Envoy writes for a session cookie with path {@code /}. */
  static String setCookie(String name, String address) {
    return name + "=\"" + cookie(address) + "\"; Path=/; HttpOnly";
  }
}
