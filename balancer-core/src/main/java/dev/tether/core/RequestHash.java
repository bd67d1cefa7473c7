package dev.tether.core;

/**
 * The outcome of the hash policies for one request.
 *
 * @param present whether any policy produced a value
 * @param hash the combined hash; meaningful only when present
 * @param setCookie a generated cookie's {@code Set-Cookie} value, or null
 */
public record RequestHash(boolean present, long hash, String setCookie) {
  static final RequestHash NONE = new RequestHash(false, 0, null);
}
