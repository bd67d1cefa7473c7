package dev.tether.contract;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP/1.1 client connection on a plain socket, for what a library client hides or refuses:
 * the exact fields of a 101, restricted fields ({@code Host}, {@code Connection},
 * {@code Upgrade}, {@code Content-Length}), bytes after an upgrade, a half-close, a close in the
 * middle of a handshake, a body that is cut. Every read has a bound ({@link #READ_TIMEOUT}), so
 * a front end that never answers fails the scenario instead of hanging it.
 */
final class RawClient implements AutoCloseable {
  /** The longest a single read waits. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int port;
  private String lastMethod = "GET";

  private RawClient(int port) throws IOException {
    this.port = port;
    socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Connects to 127.0.0.1:{@code port}. */
  static RawClient connect(int port) {
    try {
      return new RawClient(port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
    }
  }

  /**
   * Sends a request head: the request line, {@code Host: 127.0.0.1:port} unless a
   * {@code Host} line is given, the given {@code name: value} lines, then
   * {@code Content-Length} and the body when there is one.
   */
  RawClient send(String method, String target, byte[] body, String... fieldLines)
      throws IOException {
    StringBuilder head = new StringBuilder(256);
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    boolean host = false;
    for (String line : fieldLines) {
      host |= line.regionMatches(true, 0, "host:", 0, 5);
    }
    if (!host) {
      head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    }
    for (String line : fieldLines) {
      head.append(line).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    lastMethod = method;
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    return this;
  }

  /** Writes bytes as they are. */
  RawClient write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Writes text as ISO-8859-1 bytes, as they are. */
  RawClient write(String text) throws IOException {
    return write(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Reads the next response head, skipping interim 1xx responses other than 101 (which is
   * final for an upgrade).
   */
  HttpWire.Head readHead() throws IOException {
    while (true) {
      HttpWire.Head head = HttpWire.readHead(in);
      if (head == null) {
        throw new java.io.EOFException("the connection ended before a response");
      }
      int status = head.status();
      if (status >= 200 || status == 101) {
        return head;
      }
    }
  }

  /** The body that follows {@code head}, to read incrementally. */
  BodyStream body(HttpWire.Head head) throws IOException {
    return BodyStream.ofResponse(in, lastMethod, head.status(), head.fields());
  }

  /** Reads a whole response: head and body (none for a 101). */
  RawResponse readResponse() throws IOException {
    HttpWire.Head head = readHead();
    if (head.status() == 101) {
      return new RawResponse(101, head.reason(), head.fields(), new byte[0], true);
    }
    BodyStream body = body(head);
    byte[] bytes = body.readAll();
    return new RawResponse(head.status(), head.reason(), head.fields(), bytes, body.complete());
  }

  /** Reads exactly {@code n} bytes (after an upgrade); fails if the connection ends first. */
  byte[] readExactly(int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw new java.io.EOFException("the connection ended after " + bytes.length + " of " + n
          + " bytes");
    }
    return bytes;
  }

  /**
   * Reads until the connection ends (EOF or reset) and returns what came; fails when it does
   * not end within {@link #READ_TIMEOUT}.
   */
  byte[] readToEnd() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection did not end within " + READ_TIMEOUT
          + " (received " + all.size() + " bytes)", e);
    } catch (SocketException e) {
      // A reset: the connection ended.
    }
    return all.toByteArray();
  }

  /** Ends this side's output (a TCP half-close): the peer reads EOF, we can still read. */
  void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** One shot: connect, send, read the response, close. */
  static RawResponse exchange(int port, String method, String target, byte[] body,
      String... fieldLines) throws IOException {
    try (RawClient client = connect(port)) {
      return client.send(method, target, body, fieldLines).readResponse();
    }
  }

  @Override
  public void close() {
    SocketServer.closeQuietly(socket);
  }
}
