package dev.tether.tomcat;

import dev.tether.api.LocalReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Response;
import org.apache.coyote.ActionCode;

/**
 * Writes the exchange's {@link LocalReply} as Envoy sends one: the status, {@code Content-Type:
 * text/plain} exactly, the exact body and its {@code Content-Length}. It is written as a normal
 * response (never {@code sendError}), so no Tomcat error page answers for Tether.
 */
final class LocalReplies {
  private LocalReplies() {}

  /** Writes {@code reply}; when the response is already committed, closes the connection. */
  static void write(Response clientResponse, LocalReply reply) throws IOException {
    if (clientResponse.isCommitted()) {
      closeNow(clientResponse, null);
      return;
    }
    clientResponse.reset();
    clientResponse.setStatus(reply.status());
    // setContentType(null) drops a charset set before (by a locale, say) on 10.1 and 11 alike;
    // a type without one is then kept as given, so the field reads exactly text/plain.
    clientResponse.setContentType(null);
    clientResponse.setContentType(LocalReply.CONTENT_TYPE);
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    clientResponse.setContentLength(body.length);
    clientResponse.getOutputStream().write(body);
  }

  /**
   * Closes the client connection at once, nothing more written: a response already started
   * cannot be finished, or the client is gone (Envoy resets the downstream stream then).
   */
  static void closeNow(Response clientResponse, Throwable cause) {
    clientResponse.getCoyoteResponse().action(ActionCode.CLOSE_NOW, cause);
  }
}
