package dev.tether.core;

/**
 * Whether a session cookie applies to a request path, as Envoy's cookie session state decides: an
 * empty path or {@code /} matches everything; a path ending in {@code /} matches by prefix;
 * otherwise the request path must start with it and end there or continue with {@code /},
 * {@code ?} or {@code #}. The request path is compared as received, query included.
 */
final class CookiePath {
  private CookiePath() {}

  static boolean matches(String cookiePath, String requestPath) {
    if (cookiePath.isEmpty() || cookiePath.equals("/")) {
      return true;
    }
    if (!requestPath.startsWith(cookiePath)) {
      return false;
    }
    if (cookiePath.endsWith("/") || requestPath.length() == cookiePath.length()) {
      return true;
    }
    char next = requestPath.charAt(cookiePath.length());
    return next == '/' || next == '?' || next == '#';
  }
}
