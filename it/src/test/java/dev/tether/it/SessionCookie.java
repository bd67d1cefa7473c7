package dev.tether.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Envoy's cookie session state ({@code envoy.http.stateful_session.cookie}), written here
 * independently of the core so the test can forge and read values: standard Base64 of the
 * protobuf {@code Cookie { string address = 1; uint64 expires = 2; }}.
 */
final class SessionCookie {

  /** Istio's {@code istio.io/persistent-session} cookie name in the walkthrough style. */
  static final String NAME = "override-host";

  /**
   * A decoded value.
   *
   * @param address field 1
   * @param expires field 2, Unix seconds; 0 when absent
   */
  record State(String address, long expires) {}

  private SessionCookie() {}

  /** The cookie value naming {@code address}, expiring at {@code expires} (0: never). */
  static String of(String address, long expires) {
    ByteArrayOutputStream proto = new ByteArrayOutputStream();
    byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
    proto.write(0x0a);
    writeVarint(proto, bytes.length);
    proto.writeBytes(bytes);
    if (expires != 0) {
      proto.write(0x10);
      writeVarint(proto, expires);
    }
    return Base64.getEncoder().encodeToString(proto.toByteArray());
  }

  /** Decodes a value this test or the proxy wrote (no unknown fields expected). */
  static State decode(String value) {
    byte[] proto = Base64.getDecoder().decode(value);
    String address = "";
    long expires = 0;
    int[] at = {0};
    while (at[0] < proto.length) {
      int tag = proto[at[0]++] & 0xff;
      if (tag == 0x0a) {
        int length = (int) readVarint(proto, at);
        address = new String(proto, at[0], length, StandardCharsets.UTF_8);
        at[0] += length;
      } else if (tag == 0x10) {
        expires = readVarint(proto, at);
      } else {
        throw new IllegalArgumentException("unexpected protobuf tag " + tag + " in " + value);
      }
    }
    return new State(address, expires);
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7fL) != 0) {
      out.write((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static long readVarint(byte[] in, int[] at) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in[at[0]++];
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("varint too long");
  }
}
