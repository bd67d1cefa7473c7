package dev.tether.tomcat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import org.apache.catalina.connector.Request;

/**
 * The client request body as the proxy -> server request sends it: the servlet input stream, read
 * by the upstream client as it writes to the backend (never buffered whole), and its length as the
 * client declared it: {@code Content-Length}, -1 when it is sent chunked (or arrives over HTTP/2
 * without a length), 0 when there is none.
 *
 * <p>Whether any byte was read, which decides whether the request may be sent again, is tracked
 * by the proxy request ({@code UpstreamRequest.bodyTouched()}), not here.
 */
final class ClientBody {
  private static final ClientBody NONE = new ClientBody(null, 0);

  private final InputStream stream;
  private final long length;

  private ClientBody(InputStream stream, long length) {
    this.stream = stream;
    this.length = length;
  }

  /**
   * The body of {@code clientRequest}: none when it declares none; otherwise a streamed body of
   * the declared length, or of unknown length when chunked.
   */
  static ClientBody of(Request clientRequest) throws IOException {
    long length = clientRequest.getContentLengthLong();
    if (length > 0) {
      return new ClientBody(clientRequest.getInputStream(), length);
    }
    if (length == 0) {
      return NONE;
    }
    if (clientRequest.getHeader("transfer-encoding") != null) {
      return new ClientBody(clientRequest.getInputStream(), -1);
    }
    if ("HTTP/2.0".equals(clientRequest.getProtocol())) {
      // HTTP/2 may carry a body with neither Content-Length nor chunking. Whether one follows is
      // known once the first DATA frame or the end of the stream arrives; peek one byte for it.
      PushbackInputStream peek = new PushbackInputStream(clientRequest.getInputStream(), 1);
      int first = peek.read();
      if (first < 0) {
        return NONE;
      }
      peek.unread(first);
      return new ClientBody(peek, -1);
    }
    return NONE;
  }

  /** The body's bytes; null when there is no body. The container owns it: it is never closed. */
  InputStream stream() {
    return stream;
  }

  /** The declared length, -1 when unknown (the proxy request is then chunked), 0 for none. */
  long length() {
    return length;
  }
}
