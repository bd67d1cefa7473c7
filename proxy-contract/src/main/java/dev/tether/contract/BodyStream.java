package dev.tether.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * One message body read off a connection by its HTTP/1.1 framing (RFC 9112 section 6.3):
 * {@code Transfer-Encoding: chunked}, {@code Content-Length}, or, for a response with neither,
 * until the connection ends. It ends quietly at an early end of the connection, so a test can
 * look at what did arrive and ask {@link #complete()} whether the framing was satisfied: a body
 * cut by a proxy must look cut, never like a whole one.
 */
abstract class BodyStream extends InputStream {
  final InputStream in;
  private boolean resetSeen;

  BodyStream(InputStream in) {
    this.in = in;
  }

  /** Whether the body ended as its framing says (false: the connection ended first). */
  public abstract boolean complete();

  /** Whether reading ended at a TCP reset rather than an orderly end. */
  public boolean wasReset() {
    return resetSeen;
  }

  /** Reads what is left of the body, up to its end or the connection's. */
  public byte[] readAll() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = read(buffer, 0, buffer.length)) >= 0; ) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** Reads until the body so far ends with {@code marker} (or the body ends); returns it all. */
  public String readUntil(String marker) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] end = marker.getBytes(StandardCharsets.UTF_8);
    for (int b; (b = read()) >= 0; ) {
      out.write(b);
      if (endsWith(out, end)) {
        break;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /** One read of the underlying connection; -1 at its end or at a reset. */
  final int wire(byte[] buffer, int offset, int length) throws IOException {
    try {
      return in.read(buffer, offset, length);
    } catch (SocketException e) {
      resetSeen = true;
      return -1;
    }
  }

  final int wire() throws IOException {
    try {
      return in.read();
    } catch (SocketException e) {
      resetSeen = true;
      return -1;
    }
  }

  private static boolean endsWith(ByteArrayOutputStream out, byte[] end) {
    if (out.size() < end.length) {
      return false;
    }
    byte[] bytes = out.toByteArray();
    for (int i = 0; i < end.length; i++) {
      if (bytes[bytes.length - end.length + i] != end[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The body of a response to {@code requestMethod}: none for HEAD, 1xx, 204 and 304 (RFC 9112
   * section 6.3, rule 1), else as {@link #of} frames it, reading to the end of the connection
   * when neither field is there.
   */
  static BodyStream ofResponse(InputStream in, String requestMethod, int status, Fields fields)
      throws IOException {
    if ("HEAD".equals(requestMethod) || status < 200 || status == 204 || status == 304) {
      return new Fixed(in, 0);
    }
    BodyStream framed = of(in, fields);
    return framed != null ? framed : new UntilEnd(in);
  }

  /** The body of a request: chunked, by length, or none. */
  static BodyStream ofRequest(InputStream in, Fields fields) throws IOException {
    BodyStream framed = of(in, fields);
    return framed != null ? framed : new Fixed(in, 0);
  }

  private static BodyStream of(InputStream in, Fields fields) throws IOException {
    if (fields.lists("transfer-encoding", "chunked")) {
      return new Chunked(in);
    }
    String length = fields.first("content-length");
    if (length != null) {
      try {
        return new Fixed(in, Long.parseLong(length.trim()));
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length: " + length, e);
      }
    }
    return null;
  }

  /** {@code Content-Length} bytes. */
  private static final class Fixed extends BodyStream {
    private long left;

    Fixed(InputStream in, long length) {
      super(in);
      this.left = length;
    }

    @Override
    public boolean complete() {
      return left == 0;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (left == 0) {
        return -1;
      }
      int n = wire(buffer, offset, (int) Math.min(length, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }

  /** Everything until the connection ends: complete by definition once it has. */
  private static final class UntilEnd extends BodyStream {
    private boolean ended;

    UntilEnd(InputStream in) {
      super(in);
    }

    @Override
    public boolean complete() {
      return ended && !wasReset();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = wire(buffer, offset, length);
      ended |= n < 0;
      return n;
    }
  }

  /** {@code Transfer-Encoding: chunked}: chunks up to the last one and its trailer section. */
  private static final class Chunked extends BodyStream {
    private long chunkLeft;
    private boolean done;

    Chunked(InputStream in) {
      super(in);
    }

    @Override
    public boolean complete() {
      return done;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (done || chunkLeft < 0) {
        return -1;
      }
      if (chunkLeft == 0) {
        String sizeLine = line();
        if (sizeLine == null) {
          return -1;
        }
        int semicolon = sizeLine.indexOf(';');
        String size = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
        try {
          chunkLeft = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size line: " + sizeLine, e);
        }
        if (chunkLeft == 0) {
          for (String trailer; (trailer = line()) != null && !trailer.isEmpty(); ) {
            // Trailer fields: not needed by the contract.
          }
          done = true;
          return -1;
        }
      }
      int n = wire(buffer, offset, (int) Math.min(length, chunkLeft));
      if (n < 0) {
        return -1;
      }
      chunkLeft -= n;
      if (chunkLeft == 0 && line() == null) {
        chunkLeft = -1; // the CRLF after the data is missing: the connection ended
      }
      return n;
    }

    /** A CRLF- (or LF-) terminated line, or null when the connection ended first. */
    private String line() throws IOException {
      if (chunkLeft < 0) {
        return null;
      }
      StringBuilder out = new StringBuilder();
      for (int b; (b = wire()) >= 0; ) {
        if (b == '\n') {
          int end = out.length();
          boolean crlf = end > 0 && out.charAt(end - 1) == '\r';
          return crlf ? out.substring(0, end - 1) : out.toString();
        }
        out.append((char) b);
      }
      chunkLeft = -1;
      return null;
    }
  }
}
