package dev.tether.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys that seal and open session values, as read from a key ring file: one key a line,
 * {@code ID=BASE64} (ID 1 to 16 of {@code A-Za-z0-9._-}, 32 bytes in standard Base64), {@code #}
 * starts a comment, blank lines are skipped. The first key is the active one, which seals; every
 * key opens. Rotation is therefore three edits of one file: add the new key second (every front
 * end learns to open it), move it first (values are sealed with it; values sealed with the old key
 * are still honoured and re-sealed), drop the old key once no value sealed with it can be alive.
 *
 * <p>Immutable; lookups by id compare bytes, so the request path builds no string to find a key.
 * Public so that the configuration parser can check a ring at startup and the CLI can seal and
 * open values with one ({@link Inspection}); the keys themselves never leave the core.
 */
public final class KeyRing {
  /** The length of every key: AES-256. */
  public static final int KEY_BYTES = 32;
  /** The longest key id. */
  public static final int MAX_ID_LENGTH = 16;
  static final String LINE_EXPECTED = "ID=BASE64 (ID 1 to 16 of A-Za-z0-9._-, BASE64 32 random"
      + " bytes in standard Base64; tether keygen prints one)";

  /** One key: its id (the value's AAD binds it) and its AES-256 key. */
  static final class Key {
    final String id;
    final byte[] idBytes;
    final SecretKeySpec secret;

    Key(String id, byte[] material) {
      this.id = id;
      this.idBytes = id.getBytes(StandardCharsets.US_ASCII);
      this.secret = new SecretKeySpec(material, "AES");
    }

    boolean hasId(byte[] data, int offset, int length) {
      if (length != idBytes.length) {
        return false;
      }
      for (int i = 0; i < length; i++) {
        if (data[offset + i] != idBytes[i]) {
          return false;
        }
      }
      return true;
    }
  }

  /** Why a key ring cannot be used; the message names the line. */
  static final class InvalidRing extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidRing(String message) {
      super(message);
    }
  }

  private final Key[] keys;

  private KeyRing(List<Key> keys) {
    this.keys = keys.toArray(new Key[0]);
  }

  /**
   * The ring in the key ring file {@code file}, named {@code given} in the configuration.
   *
   * @throws ConfigException naming {@code sessionSealKeys}, the file and the line, when the file
   *     cannot be read or is not a key ring
   */
  public static KeyRing read(String given, Path file) {
    return KeyRingFile.readAtStartup(given, file);
  }

  /** The key that seals. */
  Key active() {
    return keys[0];
  }

  /** The id of the key that seals. */
  public String activeId() {
    return keys[0].id;
  }

  /** The key of that id, or null. */
  Key find(byte[] data, int offset, int length) {
    for (Key key : keys) {
      if (key.hasId(data, offset, length)) {
        return key;
      }
    }
    return null;
  }

  /** The ids, active first. */
  public List<String> ids() {
    List<String> ids = new ArrayList<>(keys.length);
    for (Key key : keys) {
      ids.add(key.id);
    }
    return ids;
  }

  int size() {
    return keys.length;
  }

  /** A ring of the given keys, active first: for tests and benchmarks. */
  static KeyRing of(List<Key> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("keys: [] (expected: at least one)");
    }
    return new KeyRing(keys);
  }

  /** Parses a key ring file's content. */
  static KeyRing parse(String content) throws InvalidRing {
    List<Key> keys = new ArrayList<>();
    String[] lines = content.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      Key key = parseLine(line, i + 1);
      for (Key earlier : keys) {
        if (earlier.id.equals(key.id)) {
          throw new InvalidRing("line " + (i + 1) + ": key id " + key.id + " is listed twice");
        }
      }
      keys.add(key);
    }
    if (keys.isEmpty()) {
      throw new InvalidRing("no key (expected: at least one line " + LINE_EXPECTED + ")");
    }
    return new KeyRing(keys);
  }

  private static Key parseLine(String line, int number) throws InvalidRing {
    int equals = line.indexOf('=');
    String where = "line " + number + ": ";
    if (equals < 0) {
      throw new InvalidRing(where + "no '=' (expected: " + LINE_EXPECTED + ")");
    }
    String id = line.substring(0, equals).strip();
    String material = line.substring(equals + 1).strip();
    if (id.length() > MAX_ID_LENGTH) {
      // Not echoed: a key pasted without its "ID=" would put the key itself in the log.
      throw new InvalidRing(where + "key id of " + id.length() + " characters (expected: 1 to "
          + MAX_ID_LENGTH + " of A-Za-z0-9._-, then '=' and the key)");
    }
    if (!isKeyId(id)) {
      throw new InvalidRing(where + "key id '" + printable(id) + "' (expected: 1 to "
          + MAX_ID_LENGTH + " of A-Za-z0-9._-)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(material);
    } catch (IllegalArgumentException e) {
      throw new InvalidRing(where + "key " + id + " is not standard Base64 (expected: "
          + LINE_EXPECTED + ")");
    }
    if (bytes.length != KEY_BYTES) {
      throw new InvalidRing(where + "key " + id + " is " + bytes.length + " bytes (expected: "
          + KEY_BYTES + " random bytes in standard Base64, 44 characters)");
    }
    return new Key(id, bytes);
  }

  /** Whether {@code id} may name a key: 1 to 16 of {@code A-Za-z0-9._-}. */
  public static boolean isKeyId(String id) {
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@code text} with control and non-ASCII characters shown as {@code ?}. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c < ' ' || c >= 0x7f ? '?' : c);
    }
    return out.toString();
  }
}
