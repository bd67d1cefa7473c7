package dev.tether.jetty;

import dev.tether.api.LocalReply;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes the exchange's local replies, the same bytes on both Jetty front ends (and the Tomcat
 * valve): the status, {@code Content-Type: text/plain} exactly, the Content-Length and the body.
 * Never Jetty's error page, which would answer in HTML with a status Jetty chooses.
 */
final class LocalReplies {
  private LocalReplies() {}

  /** Writes {@code reply} on a core response that nothing was written to yet. */
  static void write(Response clientResponse, LocalReply reply, Callback callback) {
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    clientResponse.setStatus(reply.status());
    clientResponse.getHeaders().put(HttpHeader.CONTENT_TYPE, LocalReply.CONTENT_TYPE);
    clientResponse.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    clientResponse.write(true, ByteBuffer.wrap(body), callback);
  }

  /**
   * Ends a relayed response that cannot finish (the backend broke or went idle mid-body): a head
   * the client has not seen yet is sent first, so failing the callback cuts the response (HTTP/1.1
   * closes the connection, HTTP/2 resets the stream) rather than letting Jetty answer with an
   * error page in its place.
   */
  static void cut(Response clientResponse, Callback callback, Throwable failure) {
    if (clientResponse.isCommitted()) {
      callback.failed(failure);
      return;
    }
    clientResponse.write(false, null,
        Callback.from(() -> callback.failed(failure), x -> callback.failed(failure)));
  }

  /**
   * Writes {@code reply} on a servlet response that nothing was written to yet (headers set by
   * an earlier attempt are cleared first).
   */
  static void write(HttpServletResponse clientResponse, LocalReply reply) throws IOException {
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    clientResponse.reset();
    clientResponse.setStatus(reply.status());
    // Set as a header, not with setContentType: the servlet API would append a charset.
    clientResponse.setHeader("Content-Type", LocalReply.CONTENT_TYPE);
    clientResponse.setContentLength(body.length);
    clientResponse.getOutputStream().write(body);
    clientResponse.flushBuffer();
  }
}
