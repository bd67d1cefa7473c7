package dev.tether.tomcat;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import org.apache.catalina.connector.Request;

/**
 * The client request body as the proxy -> server request sends it: streamed from the servlet
 * input stream by the HTTP client, never buffered whole, and with the client's
 * {@code Content-Length} when it sent one (chunked otherwise).
 *
 * <p>It remembers whether any byte was read, because a request whose body was consumed cannot be
 * sent again: only an unconsumed request may be retried on another backend.
 */
final class ClientBody {
  private static final ClientBody NONE = new ClientBody(null, 0);

  private final Request clientRequest;
  private final long contentLength;
  private volatile boolean consumed;
  private InputStream stream;

  private ClientBody(Request clientRequest, long contentLength) {
    this.clientRequest = clientRequest;
    this.contentLength = contentLength;
  }

  /**
   * The body of {@code clientRequest}: none when it declares none; otherwise a streamed body of
   * the declared length, or of unknown length when chunked.
   */
  static ClientBody of(Request clientRequest) throws IOException {
    long length = clientRequest.getContentLengthLong();
    if (length > 0) {
      return new ClientBody(clientRequest, length);
    }
    if (length == 0) {
      return NONE;
    }
    if (clientRequest.getHeader("transfer-encoding") != null) {
      return new ClientBody(clientRequest, -1);
    }
    if ("HTTP/2.0".equals(clientRequest.getProtocol())) {
      // HTTP/2 may carry a body with neither Content-Length nor chunking. Whether one follows is
      // known once the first DATA frame or the end of the stream arrives; peek one byte for it.
      ClientBody body = new ClientBody(clientRequest, -1);
      PushbackInputStream peek = new PushbackInputStream(clientRequest.getInputStream(), 1);
      int first = peek.read();
      if (first < 0) {
        return NONE;
      }
      peek.unread(first);
      body.stream = peek;
      return body;
    }
    return NONE;
  }

  /** Whether the HTTP client read any of the body. */
  boolean consumed() {
    return consumed;
  }

  /** A publisher for one attempt; retries reuse the same, still unread, stream. */
  BodyPublisher publisher() {
    if (clientRequest == null) {
      return BodyPublishers.noBody();
    }
    BodyPublisher streaming = BodyPublishers.ofInputStream(this::trackedStream);
    return contentLength > 0 ? BodyPublishers.fromPublisher(streaming, contentLength) : streaming;
  }

  private synchronized InputStream trackedStream() {
    if (stream == null) {
      try {
        stream = clientRequest.getInputStream();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new FilterInputStream(stream) {
      @Override
      public int read() throws IOException {
        consumed = true;
        return super.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        consumed = true;
        return super.read(b, off, len);
      }

      @Override
      public long skip(long n) throws IOException {
        consumed = true;
        return super.skip(n);
      }

      @Override
      public void close() {
        // The servlet container owns the client input stream.
      }
    };
  }
}
