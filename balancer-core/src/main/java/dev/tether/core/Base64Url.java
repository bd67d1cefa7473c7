package dev.tether.core;

/**
 * URL-safe Base64 without padding (RFC 4648 section 5), the alphabet of sealed session values: it
 * needs no quoting in a cookie or a header and no escaping in a URL. Decoding is strict and works
 * in caller-owned buffers: a length that no byte string encodes to ({@code 4n + 1}), a character
 * outside the alphabet, padding, or unused low bits that are not zero all fail, so every value
 * has exactly one spelling and a changed character is never silently ignored.
 */
final class Base64Url {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
  private static final byte[] REVERSE = new byte[128];

  static {
    java.util.Arrays.fill(REVERSE, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      REVERSE[ALPHABET[i]] = (byte) i;
    }
  }

  private Base64Url() {}

  /** Characters that {@code byteCount} bytes encode to. */
  static int encodedLength(int byteCount) {
    return (byteCount * 4 + 2) / 3;
  }

  /** Bytes that a value of {@code charCount} characters decodes to; -1 when no value has it. */
  static int decodedLength(int charCount) {
    return charCount % 4 == 1 ? -1 : charCount * 3 / 4;
  }

  /** Encodes {@code data[offset, offset + length)}. */
  static String encode(byte[] data, int offset, int length) {
    char[] out = new char[encodedLength(length)];
    int o = 0;
    int i = offset;
    int end = offset + length;
    for (; i + 3 <= end; i += 3) {
      int n = (data[i] & 0xFF) << 16 | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF);
      out[o++] = ALPHABET[n >>> 18];
      out[o++] = ALPHABET[(n >>> 12) & 63];
      out[o++] = ALPHABET[(n >>> 6) & 63];
      out[o++] = ALPHABET[n & 63];
    }
    int rest = end - i;
    if (rest == 1) {
      int n = (data[i] & 0xFF) << 16;
      out[o++] = ALPHABET[n >>> 18];
      out[o] = ALPHABET[(n >>> 12) & 63];
    } else if (rest == 2) {
      int n = (data[i] & 0xFF) << 16 | (data[i + 1] & 0xFF) << 8;
      out[o++] = ALPHABET[n >>> 18];
      out[o++] = ALPHABET[(n >>> 12) & 63];
      out[o] = ALPHABET[(n >>> 6) & 63];
    }
    return new String(out);
  }

  /**
   * Decodes all of {@code text} into {@code out} from index 0.
   *
   * @return the number of bytes written, or -1 when {@code text} is not canonical unpadded
   *     URL-safe Base64 or does not fit {@code out}
   */
  static int decode(CharSequence text, byte[] out) {
    int n = text.length();
    int length = decodedLength(n);
    if (length < 0 || length > out.length) {
      return -1;
    }
    int o = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      int a = value(text.charAt(i));
      int b = value(text.charAt(i + 1));
      int c = value(text.charAt(i + 2));
      int d = value(text.charAt(i + 3));
      if ((a | b | c | d) < 0) {
        return -1;
      }
      int v = a << 18 | b << 12 | c << 6 | d;
      out[o++] = (byte) (v >>> 16);
      out[o++] = (byte) (v >>> 8);
      out[o++] = (byte) v;
    }
    int remainder = n - i;
    if (remainder == 2) {
      int a = value(text.charAt(i));
      int b = value(text.charAt(i + 1));
      if ((a | b) < 0 || (b & 0x0F) != 0) {
        return -1;
      }
      out[o++] = (byte) (a << 2 | b >>> 4);
    } else if (remainder == 3) {
      int a = value(text.charAt(i));
      int b = value(text.charAt(i + 1));
      int c = value(text.charAt(i + 2));
      if ((a | b | c) < 0 || (c & 0x03) != 0) {
        return -1;
      }
      out[o++] = (byte) (a << 2 | b >>> 4);
      out[o++] = (byte) ((b & 0x0F) << 4 | c >>> 2);
    }
    return o;
  }

  private static int value(char c) {
    return c < 128 ? REVERSE[c] : -1;
  }
}
