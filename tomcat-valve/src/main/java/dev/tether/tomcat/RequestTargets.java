package dev.tether.tomcat;

/**
 * The request target of the proxy -> server request, made from the raw client request target.
 *
 * <p>Tomcat can be told to accept characters RFC 3986 does not allow in a target ({@code |},
 * {@code {}}, {@code [ ]} and others, through {@code relaxedPathChars}/{@code relaxedQueryChars}),
 * and it passes a {@code %} that starts no escape. A backend need not be as lenient (the JDK's
 * {@code HttpServer} and a default Tomcat refuse them), so such characters are percent-encoded:
 * the backend decodes them to the same bytes, which is all a server may rely on. Everything else
 * passes unchanged, so the backend sees the client's encoding.
 *
 * <p>The upstream client would percent-encode characters beyond ASCII itself, but as UTF-8; Tomcat
 * hands over the raw target as ISO-8859-1 (one char per byte), so they are encoded here, one byte
 * each, and the client receives only ASCII.
 */
final class RequestTargets {
  private RequestTargets() {}

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * The target to send for the client's {@code pathAndQuery}, or null when it is not in origin
   * form (it must start with {@code /}): such a request gets a 400 rather than an unintended
   * target.
   */
  static String forBackend(String pathAndQuery) {
    if (pathAndQuery == null || !pathAndQuery.startsWith("/")) {
      return null;
    }
    return encodeIllegal(pathAndQuery);
  }

  /**
   * {@code target} with every character outside RFC 3986's set percent-encoded, controls and
   * spaces included, so the upstream client never refuses the result.
   */
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
