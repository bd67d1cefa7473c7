package dev.tether.tomcat;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Builds the URI of the proxy -> server request from the raw client request target.
 *
 * <p>{@link java.net.http.HttpClient} takes a {@link URI}, whose parser is stricter than Tomcat's
 * request-line parser (Tomcat can be told to accept {@code |}, {@code {}}, {@code [ ]} and others
 * through {@code relaxedPathChars}/{@code relaxedQueryChars}). Such characters, and a {@code %}
 * that starts no escape, are percent-encoded: the backend decodes them to the same bytes, which is
 * all a server may rely on. Everything else passes unchanged, so the backend sees the client's
 * encoding.
 */
final class RequestTargets {
  private RequestTargets() {}

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * {@code http://<address><pathAndQuery>}.
   *
   * @throws URISyntaxException when the target cannot be made a URI even after encoding
   */
  static URI uri(String address, String pathAndQuery) throws URISyntaxException {
    return new URI("http://" + address + encodeIllegal(pathAndQuery));
  }

  static String encodeIllegal(String target) {
    int first = firstIllegal(target);
    if (first < 0) {
      return target;
    }
    StringBuilder out = new StringBuilder(target.length() + 16).append(target, 0, first);
    for (int i = first; i < target.length(); i++) {
      char c = target.charAt(i);
      if (isLegal(target, i)) {
        out.append(c);
      } else {
        // Tomcat decodes the request line as ISO-8859-1: every char is one byte.
        int b = c & 0xff;
        out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
      }
    }
    return out.toString();
  }

  private static int firstIllegal(String target) {
    for (int i = 0; i < target.length(); i++) {
      if (!isLegal(target, i)) {
        return i;
      }
    }
    return -1;
  }

  /** RFC 3986 unreserved, reserved (but {@code #}), and {@code %} when it starts an escape. */
  private static boolean isLegal(String target, int i) {
    char c = target.charAt(i);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return true;
    }
    if (c == '%') {
      return i + 2 < target.length() && isHex(target.charAt(i + 1)) && isHex(target.charAt(i + 2));
    }
    return "-._~:/?@!$&'()*+,;=".indexOf(c) >= 0;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
