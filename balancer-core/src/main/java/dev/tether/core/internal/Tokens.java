package dev.tether.core.internal;

/**
 * RFC 9110 tokens ({@code tchar}, section 5.6.2): the characters allowed in header, cookie and
 * parameter names. One table, read by character, so a check costs a load per character. Public
 * for the other packages of the core; not part of Tether's API.
 */
public final class Tokens {
  private static final boolean[] TOKEN_CHARS = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TOKEN_CHARS[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TOKEN_CHARS[c] = true;
      TOKEN_CHARS[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TOKEN_CHARS[c] = true;
    }
  }

  private Tokens() {}

  /** Whether {@code text} is a non-empty token; null is not one. */
  public static boolean isToken(String text) {
    if (text == null || text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 128 || !TOKEN_CHARS[c]) {
        return false;
      }
    }
    return true;
  }
}
