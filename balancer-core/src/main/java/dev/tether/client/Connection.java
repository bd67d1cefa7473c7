package dev.tether.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One kept-alive TCP connection to a backend, with its own read and write buffers so that a
 * request on a pooled connection allocates no I/O buffer. Used by one exchange at a time.
 */
final class Connection {
  /** A response head line longer than the read buffer is refused. */
  static final int READ_BUFFER = 16 * 1024;
  static final int WRITE_BUFFER = 8 * 1024;

  final Backend backend;
  final SocketChannel channel;
  final Socket socket;
  final InputStream in;
  final OutputStream out;
  final byte[] read = new byte[READ_BUFFER];
  int readPosition;
  int readLimit;
  final byte[] write = new byte[WRITE_BUFFER];
  int writeLength;
  /** Bytes received for the current exchange: none means a pooled connection may be stale. */
  long received;
  long idleSince;
  /** Requests written on this connection so far. */
  long requests;

  Connection(Backend backend, SocketChannel channel) throws IOException {
    this.backend = backend;
    this.channel = channel;
    this.socket = channel.socket();
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Whether the backend has closed this idle connection (or sent something unasked, which leaves
   * it unusable too), found without waiting: a non-blocking read of one byte. Three system calls,
   * paid only before sending a body on a pooled connection, since a body cannot be sent twice.
   */
  boolean closedByPeer() {
    try {
      channel.configureBlocking(false);
      try {
        return channel.read(ByteBuffer.allocate(1)) != 0;
      } finally {
        channel.configureBlocking(true);
      }
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  /**
   * Reads more bytes after those still unread, first moving those to the front of the buffer.
   *
   * @return the number of bytes read, or -1 at the end of the stream
   */
  int fill() throws IOException {
    if (readPosition > 0) {
      int unread = readLimit - readPosition;
      System.arraycopy(read, readPosition, read, 0, unread);
      readPosition = 0;
      readLimit = unread;
    }
    if (readLimit == read.length) {
      throw new UpstreamException(UpstreamException.Kind.PROTOCOL,
          "a response line longer than " + read.length + " bytes");
    }
    int n = in.read(read, readLimit, read.length - readLimit);
    if (n > 0) {
      readLimit += n;
      received += n;
    }
    return n;
  }

  /**
   * The next line from the bytes already read, without its CRLF (or bare LF), or null when the
   * buffer holds no complete line.
   */
  String pollLine() {
    for (int i = readPosition; i < readLimit; i++) {
      if (read[i] == '\n') {
        int end = i > readPosition && read[i - 1] == '\r' ? i - 1 : i;
        String line = new String(read, readPosition, end - readPosition,
            StandardCharsets.ISO_8859_1);
        readPosition = i + 1;
        return line;
      }
    }
    return null;
  }

  void put(byte b) throws IOException {
    if (writeLength == write.length) {
      flush();
    }
    write[writeLength++] = b;
  }

  /** Latin-1 text (header names and values, which containers hold as ISO-8859-1 strings). */
  void put(String text) throws IOException {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (writeLength == write.length) {
        flush();
      }
      int end = Math.min(n, i + write.length - writeLength);
      int at = writeLength;
      for (; i < end; i++) {
        char c = text.charAt(i);
        if (c >= 0x100) {
          break;
        }
        write[at++] = (byte) c;
      }
      writeLength = at;
      if (i < end) {
        // Beyond Latin-1 (a container that decoded a header as UTF-8): its UTF-8 bytes.
        for (byte b : String.valueOf(text.charAt(i)).getBytes(StandardCharsets.UTF_8)) {
          put(b);
        }
        i++;
      }
    }
  }

  void crlf() throws IOException {
    put((byte) '\r');
    put((byte) '\n');
  }

  void flush() throws IOException {
    if (writeLength > 0) {
      out.write(write, 0, writeLength);
      writeLength = 0;
    }
  }

  void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing more to do with a connection that is being dropped.
    }
  }
}
