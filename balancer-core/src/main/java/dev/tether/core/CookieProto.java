package dev.tether.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Envoy's session cookie payload, {@code message Cookie { string address = 1; uint64 expires = 2;
 * }} (proto3), encoded and parsed by hand with protobuf's wire rules, so that "parses" and "fails
 * to parse" agree with Envoy's C++ protobuf: unknown fields are skipped, a malformed tag, a
 * truncated field, wire types 4, 6 and 7, field number 0 and invalid UTF-8 in {@code address}
 * all fail. A failure is what sends Envoy to the legacy plain {@code ip:port} format.
 */
final class CookieProto {
  private static final int MAX_GROUP_DEPTH = 100;

  /** Parsed fields; {@code address} is empty when absent, as in proto3. */
  record Fields(String address, long expires) {}

  private CookieProto() {}

  static byte[] encode(String address, long expires) {
    byte[] addressBytes = address.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(addressBytes.length + 14);
    out.write(0x0A);
    writeVarint(out, addressBytes.length);
    out.write(addressBytes, 0, addressBytes.length);
    if (expires != 0) {
      out.write(0x10);
      writeVarint(out, expires);
    }
    return out.toByteArray();
  }

  /** The fields, or null when protobuf would fail to parse {@code data}. */
  static Fields parse(byte[] data) {
    Reader reader = new Reader(data);
    String address = "";
    long expires = 0;
    while (reader.pos < data.length) {
      long tag = reader.tag();
      if (tag <= 0) {
        return null;
      }
      int wireType = (int) (tag & 7);
      long field = tag >>> 3;
      if (wireType == 4 || field == 0) {
        return null;
      }
      if (field == 1 && wireType == 2) {
        int length = reader.length();
        if (length < 0) {
          return null;
        }
        String text = Utf8.decodeStrict(data, reader.pos, length);
        if (text == null) {
          return null;
        }
        address = text;
        reader.pos += length;
      } else if (field == 2 && wireType == 0) {
        if (!reader.varint()) {
          return null;
        }
        expires = reader.lastVarint;
      } else if (!reader.skip(field, wireType, 0)) {
        return null;
      }
    }
    return new Fields(address, expires);
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  /** A cursor over protobuf wire data; every method reports failure instead of throwing. */
  private static final class Reader {
    final byte[] data;
    int pos;
    long lastVarint;

    Reader(byte[] data) {
      this.data = data;
    }

    /** Reads a varint of at most ten bytes; false when truncated or too long. */
    boolean varint() {
      long result = 0;
      for (int i = 0; i < 10; i++) {
        if (pos >= data.length) {
          return false;
        }
        int b = data[pos++] & 0xFF;
        result |= (long) (b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
          lastVarint = result;
          return true;
        }
      }
      return false;
    }

    /** A tag as an unsigned 32-bit value, or -1 when malformed. */
    long tag() {
      int start = pos;
      if (!varint() || pos - start > 5 || (lastVarint >>> 32) != 0) {
        return -1;
      }
      return lastVarint;
    }

    /** A length prefix that fits the remaining data, or -1. */
    int length() {
      if (!varint() || lastVarint < 0 || lastVarint > data.length - pos) {
        return -1;
      }
      return (int) lastVarint;
    }

    boolean skip(long field, int wireType, int depth) {
      switch (wireType) {
        case 0:
          return varint();
        case 1:
          return advance(8);
        case 2: {
          int length = length();
          return length >= 0 && advance(length);
        }
        case 3:
          return skipGroup(field, depth + 1);
        case 5:
          return advance(4);
        default:
          return false;
      }
    }

    private boolean skipGroup(long field, int depth) {
      if (depth > MAX_GROUP_DEPTH) {
        return false;
      }
      while (pos < data.length) {
        long tag = tag();
        if (tag <= 0) {
          return false;
        }
        int wireType = (int) (tag & 7);
        long inner = tag >>> 3;
        if (inner == 0) {
          return false;
        }
        if (wireType == 4) {
          return inner == field;
        }
        if (!skip(inner, wireType, depth)) {
          return false;
        }
      }
      return false;
    }

    private boolean advance(int count) {
      if (count > data.length - pos) {
        return false;
      }
      pos += count;
      return true;
    }
  }
}
