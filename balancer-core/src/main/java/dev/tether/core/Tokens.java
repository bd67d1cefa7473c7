package dev.tether.core;

/** RFC 9110 tokens: the characters allowed in header, cookie and parameter names. */
final class Tokens {
  private static final String SPECIALS = "!#$%&'*+-.^_`|~";

  private Tokens() {}

  static boolean isToken(String text) {
    if (text == null || text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || SPECIALS.indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
