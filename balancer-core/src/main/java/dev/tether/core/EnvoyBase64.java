package dev.tether.core;

/**
 * Standard Base64 with padding, decoded as strictly as Envoy's {@code Base64::decode}: the length
 * must be a multiple of four, only the standard alphabet, at most two trailing {@code =}, and the
 * unused low bits of the last character must be zero. Anything else decodes to nothing, so a
 * tampered session value never becomes an address by accident of a lenient decoder.
 */
final class EnvoyBase64 {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
  private static final byte[] REVERSE = new byte[128];

  static {
    java.util.Arrays.fill(REVERSE, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      REVERSE[ALPHABET[i]] = (byte) i;
    }
  }

  private EnvoyBase64() {}

  static String encode(byte[] data) {
    StringBuilder out = new StringBuilder((data.length + 2) / 3 * 4);
    int i = 0;
    for (; i + 3 <= data.length; i += 3) {
      int n = (data[i] & 0xFF) << 16 | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF);
      out.append(ALPHABET[n >>> 18]).append(ALPHABET[(n >>> 12) & 63])
          .append(ALPHABET[(n >>> 6) & 63]).append(ALPHABET[n & 63]);
    }
    int rest = data.length - i;
    if (rest == 1) {
      int n = (data[i] & 0xFF) << 16;
      out.append(ALPHABET[n >>> 18]).append(ALPHABET[(n >>> 12) & 63]).append("==");
    } else if (rest == 2) {
      int n = (data[i] & 0xFF) << 16 | (data[i + 1] & 0xFF) << 8;
      out.append(ALPHABET[n >>> 18]).append(ALPHABET[(n >>> 12) & 63])
          .append(ALPHABET[(n >>> 6) & 63]).append('=');
    }
    return out.toString();
  }

  /** The decoded bytes, or null when {@code text} is not canonical padded Base64 or is empty. */
  static byte[] decode(String text) {
    int length = text.length();
    if (length == 0 || length % 4 != 0) {
      return null;
    }
    int n = length;
    if (text.charAt(n - 1) == '=') {
      n--;
      if (text.charAt(n - 1) == '=') {
        n--;
      }
    }
    int remainder = n % 4;
    if (remainder == 1) {
      return null;
    }
    byte[] out = new byte[n / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)];
    int o = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      int a = value(text.charAt(i));
      int b = value(text.charAt(i + 1));
      int c = value(text.charAt(i + 2));
      int d = value(text.charAt(i + 3));
      if ((a | b | c | d) < 0) {
        return null;
      }
      int v = a << 18 | b << 12 | c << 6 | d;
      out[o++] = (byte) (v >>> 16);
      out[o++] = (byte) (v >>> 8);
      out[o++] = (byte) v;
    }
    if (remainder == 2) {
      int a = value(text.charAt(i));
      int b = value(text.charAt(i + 1));
      if ((a | b) < 0 || (b & 0x0F) != 0) {
        return null;
      }
      out[o] = (byte) (a << 2 | b >>> 4);
    } else if (remainder == 3) {
      int a = value(text.charAt(i));
      int b = value(text.charAt(i + 1));
      int c = value(text.charAt(i + 2));
      if ((a | b | c) < 0 || (c & 0x03) != 0) {
        return null;
      }
      out[o++] = (byte) (a << 2 | b >>> 4);
      out[o] = (byte) ((b & 0x0F) << 4 | c >>> 2);
    }
    return out;
  }

  private static int value(char c) {
    return c < 128 ? REVERSE[c] : -1;
  }
}
