package dev.tether.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A backend that reads a request's head and whole body, answers with the bytes it was given, a
 * response no HTTP/1.1 peer may take (framed two ways, or a bare CR inside a field), and closes.
 * Envoy refuses such an answer as a protocol error; so must every front end, rather than relay
 * a head and then a body framed one of two ways.
 */
final class MalformedBackend extends SocketServer {
  /** Both {@code Content-Length} and {@code Transfer-Encoding} (RFC 9112 section 6.3). */
  static final String TWO_FRAMINGS = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
      + "Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  /** A CR not followed by LF inside a field value (RFC 9112 section 2.2). */
  static final String BARE_CR = "HTTP/1.1 200 OK\r\nX-Note: one\rtwo\r\nContent-Length: 2\r\n\r\nok";

  /** Volatile: the acceptor thread starts in the superclass's constructor, before this is set. */
  private volatile byte[] answer;

  private MalformedBackend(String name, String answer) {
    super(name);
    this.answer = answer.getBytes(StandardCharsets.ISO_8859_1);
  }

  static MalformedBackend start(String name, String answer) {
    return new MalformedBackend(name, answer);
  }

  @Override
  void serve(Connection connection) throws IOException {
    if (connection.nextRequest() == null) {
      return;
    }
    connection.out.write(answer);
    connection.out.flush();
    connection.socket.close();
  }
}
