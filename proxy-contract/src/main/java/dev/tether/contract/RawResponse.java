package dev.tether.contract;

import java.nio.charset.StandardCharsets;

/**
 * A response as the raw client read it off the socket.
 *
 * @param status the status code
 * @param reason the reason phrase
 * @param fields the field lines as they arrived
 * @param body the body, de-chunked
 * @param complete whether the body ended as its framing says (false: the connection ended
 *     first, as when a proxy cuts a response)
 */
record RawResponse(int status, String reason, Fields fields, byte[] body, boolean complete) {
  /** The body as UTF-8 text. */
  String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The first value of a field, or null. */
  String field(String name) {
    return fields.first(name);
  }

  /** For failure messages: the head and the start of the body. */
  @Override
  public String toString() {
    String text = text();
    return status + " " + reason + "\n" + fields + "\n"
        + (text.length() > 2000 ? text.substring(0, 2000) + "..." : text)
        + (complete ? "" : "\n(incomplete)");
  }
}
