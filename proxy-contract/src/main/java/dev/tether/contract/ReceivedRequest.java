package dev.tether.contract;

import java.nio.charset.StandardCharsets;

/**
 * One request as a backend received it off its socket: what the front end forwarded, byte for
 * byte in the fields and body, so a test can say what crossed the proxy and what did not.
 *
 * @param method the method
 * @param target the request target as sent
 * @param fields the field lines as they arrived
 * @param body the body, de-chunked
 * @param complete whether the whole body arrived (false: the connection ended first)
 */
record ReceivedRequest(String method, String target, Fields fields, byte[] body,
    boolean complete) {

  /** The body as UTF-8 text. */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * What an echo sends back: the request head as received (the request line, {@code name: value}
   * lines, an empty line; LF line ends) followed by the body.
   */
  byte[] echo() {
    byte[] head = (method + " " + target + " HTTP/1.1\n" + fields + "\n")
        .getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }
}
