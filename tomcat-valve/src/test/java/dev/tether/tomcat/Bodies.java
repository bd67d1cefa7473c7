package dev.tether.tomcat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Deterministic large bodies, generated as they are sent so no test holds one whole. */
final class Bodies {
  private Bodies() {}

  private static final int BLOCK = 64 * 1024;

  /** The block every body repeats: bytes 0..255 shifted by the block index. */
  private static byte[] block(long index) {
    byte[] block = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      block[i] = (byte) (i + index);
    }
    return block;
  }

  static void write(OutputStream out, long bytes) throws IOException {
    for (long sent = 0, index = 0; sent < bytes; index++) {
      int n = (int) Math.min(BLOCK, bytes - sent);
      out.write(block(index), 0, n);
      sent += n;
    }
  }

  /** The same bytes as {@link #write}, as a stream. */
  static InputStream stream(long bytes) {
    return new InputStream() {
      private long position;
      private byte[] current;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (position >= bytes) {
          return -1;
        }
        int inBlock = (int) (position % BLOCK);
        if (inBlock == 0 || current == null) {
          current = block(position / BLOCK);
        }
        int n = (int) Math.min(Math.min(len, BLOCK - inBlock), bytes - position);
        System.arraycopy(current, inBlock, b, off, n);
        position += n;
        return n;
      }
    };
  }

  /** The SHA-256 of exactly {@code bytes} bytes read from {@code in}; fails if it ends first. */
  static String sha256(InputStream in, long bytes) throws IOException {
    MessageDigest sha = Backend.sha256();
    byte[] buffer = new byte[BLOCK];
    long left = bytes;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("stream ended " + left + " bytes short of " + bytes);
      }
      sha.update(buffer, 0, n);
      left -= n;
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static String sha256(long bytes) throws IOException {
    MessageDigest sha = Backend.sha256();
    try (InputStream in = stream(bytes)) {
      byte[] buffer = new byte[BLOCK];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        sha.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
