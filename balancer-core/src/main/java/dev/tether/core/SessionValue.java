package dev.tether.core;

/**
 * A decoded stateful-session value: either an address (with its expiry and the format it came in)
 * or the reason it is no session.
 *
 * @param address {@code ip:port}; null when invalid
 * @param expires Unix seconds, 0 for none
 * @param format {@code proto}, {@code legacy}, {@code header} (Envoy's formats) or {@code sealed}
 * @param invalidReason why the value is no session; null when valid
 * @param keyId sealed values: the id of the key that sealed it; null otherwise
 */
public record SessionValue(String address, long expires, String format, String invalidReason,
    String keyId) {

  static final String SEALED = "sealed";

  static SessionValue valid(String address, long expires, String format) {
    return new SessionValue(address, expires, format, null, null);
  }

  static SessionValue sealed(String address, long expires, String keyId) {
    return new SessionValue(address, expires, SEALED, null, keyId);
  }

  static SessionValue invalid(String reason) {
    return new SessionValue(null, 0, null, reason, null);
  }

  /** Whether the value names an address. */
  public boolean isValid() {
    return address != null;
  }

  /** Whether the value was sealed. */
  public boolean isSealed() {
    return keyId != null;
  }
}
