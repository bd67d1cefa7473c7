package dev.tether.core;

/**
 * A decoded stateful-session value: either an address (with its expiry and the format it came in)
 * or the reason it is no session.
 *
 * @param address {@code ip:port}; null when invalid
 * @param expires Unix seconds, 0 for none
 * @param format {@code proto}, {@code legacy} or {@code header}
 * @param invalidReason why the value is no session; null when valid
 */
record SessionValue(String address, long expires, String format, String invalidReason) {

  static SessionValue valid(String address, long expires, String format) {
    return new SessionValue(address, expires, format, null);
  }

  static SessionValue invalid(String reason) {
    return new SessionValue(null, 0, null, reason);
  }

  boolean isValid() {
    return address != null;
  }
}
