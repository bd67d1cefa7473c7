package dev.tether.core;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A sealed session value: the endpoint address and an expiry, encrypted and authenticated with
 * AES-256-GCM under one key of a {@link KeyRing}, so a client can neither read which backend it is
 * on nor name another. The value is URL-safe Base64 without padding of
 *
 * <pre>
 *   version (1 byte, 0x01) | id length n (1 byte, 1..16) | key id (n bytes, ASCII)
 *   | nonce (12 random bytes) | ciphertext (as long as the plaintext) | tag (16 bytes)
 *
 *   plaintext = packed address ({@link PackedAddress}: 7 bytes for IPv4, 19 for IPv6)
 *               | expiry (8 bytes, big-endian unsigned Unix seconds; 0 = none)
 * </pre>
 *
 * The additional authenticated data is the header, {@code version | n | key id}: a value whose id
 * is changed, or that was sealed by another ring's key of the same id, fails authentication. An
 * IPv4 value is {@code 45 + n} bytes, 62 to 82 characters; IPv6 is {@code 57 + n}, 78 to 98.
 *
 * <p>Opening never throws and never allocates in proportion to its input: the length is checked
 * before anything is decoded, and decoding works in buffers of fixed size. A {@link Cipher} is not
 * thread-safe and costly to create: a few of them, each with its buffers, are shared by
 * {@link Stripes} of threads and initialised per value under the stripe's lock.
 *
 * @see <a href="https://csrc.nist.gov/pubs/sp/800/38/d/final">NIST SP 800-38D (GCM)</a>
 */
final class SealedValue {
  static final int VERSION = 1;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int EXPIRY_BYTES = 8;
  /**
   * The shortest plaintext: the shortest packed address, a one-character host name as text (form,
   * length, host, port: 5 bytes, shorter than the 7 of IPv4), and the expiry.
   */
  static final int MIN_PLAINTEXT = 1 + 1 + 1 + 2 + EXPIRY_BYTES;
  static final int MAX_PLAINTEXT = PackedAddress.MAX_BYTES + EXPIRY_BYTES;
  static final int MIN_BYTES = 2 + 1 + NONCE_BYTES + MIN_PLAINTEXT + TAG_BYTES;
  static final int MAX_BYTES =
      2 + KeyRing.MAX_ID_LENGTH + NONCE_BYTES + MAX_PLAINTEXT + TAG_BYTES;
  static final int MIN_CHARS = Base64Url.encodedLength(MIN_BYTES);
  /** Longer values are refused before anything is decoded. */
  static final int MAX_CHARS = Base64Url.encodedLength(MAX_BYTES);

  /**
   * What a sealed value's first character is: the version byte's top six bits. In migrate mode a
   * value starting with it is read as sealed, any other as Envoy's plain formats (whose first byte
   * is {@code 0x0A} for a cookie, an address character otherwise; never 0 to 3).
   */
  static final char FIRST_CHAR = 'A';

  static final String NOT_SEALED = "not a sealed value (length or characters)";
  static final String BAD_VERSION = "not a sealed value of version 1";
  static final String TRUNCATED = "sealed value of the wrong length";
  static final String UNKNOWN_KEY = "sealed with a key id the key ring does not have";
  static final String FORGED =
      "authentication failed (tampered, or sealed by another ring's key of that id)";
  static final String BAD_PLAINTEXT = "sealed content is not an address and an expiry";

  /** One stripe's cipher and buffers; used only under its own lock. */
  private static final class Scratch {
    final Cipher cipher;
    final byte[] value = new byte[MAX_BYTES];
    final byte[] plain = new byte[MAX_BYTES];

    Scratch() {
      try {
        cipher = Cipher.getInstance("AES/GCM/NoPadding");
      } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
        throw new IllegalStateException("this JDK has no AES/GCM/NoPadding", e);
      }
    }
  }

  private static final AtomicReferenceArray<Scratch> SCRATCH =
      new AtomicReferenceArray<>(Stripes.COUNT);

  private SealedValue() {}

  /**
   * Seals {@code address} with the ring's active key.
   *
   * @param expires Unix seconds after which the value is no session; 0 for none
   * @return the value, or null when {@code address} cannot be packed (no port, or a host over 255
   *     bytes: never an endpoint's address)
   */
  static String seal(KeyRing ring, String address, long expires, NonceSource nonces) {
    Scratch scratch = scratch();
    synchronized (scratch) {
      return seal(scratch, ring, address, expires, nonces);
    }
  }

  private static String seal(Scratch scratch, KeyRing ring, String address, long expires,
      NonceSource nonces) {
    byte[] plain = scratch.plain;
    int addressLength = PackedAddress.pack(address, plain, 0);
    if (addressLength < 0) {
      return null;
    }
    int plainLength = addressLength + EXPIRY_BYTES;
    writeLong(plain, addressLength, expires);

    KeyRing.Key key = ring.active();
    byte[] value = scratch.value;
    int idLength = key.idBytes.length;
    value[0] = VERSION;
    value[1] = (byte) idLength;
    System.arraycopy(key.idBytes, 0, value, 2, idLength);
    int nonceAt = 2 + idLength;
    int cipherAt = nonceAt + NONCE_BYTES;
    Cipher cipher = scratch.cipher;
    for (int attempt = 1; ; attempt++) {
      nonces.next(value, nonceAt, NONCE_BYTES);
      try {
        cipher.init(Cipher.ENCRYPT_MODE, key.secret,
            new GCMParameterSpec(TAG_BYTES * 8, value, nonceAt, NONCE_BYTES));
      } catch (InvalidAlgorithmParameterException e) {
        // The JDK refuses the nonce this cipher used last with this key: draw another. Random
        // nonces repeat with probability 2^-96; a seeded test source repeats by design.
        if (attempt < 3) {
          continue;
        }
        throw new IllegalStateException("the nonce source repeats itself", e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM refused a 256-bit key", e);
      }
      try {
        cipher.updateAAD(value, 0, nonceAt);
        int written = cipher.doFinal(plain, 0, plainLength, value, cipherAt);
        return Base64Url.encode(value, 0, cipherAt + written);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM refused to seal", e);
      }
    }
  }

  /**
   * Opens a value sealed by any key of {@code ring}.
   *
   * @param nowSeconds the current Unix time, for expiry
   * @return the address (format {@code sealed}, with the key id), or the reason it is no session
   */
  static SessionValue open(KeyRing ring, CharSequence text, long nowSeconds) {
    if (text == null || text.length() < MIN_CHARS || text.length() > MAX_CHARS) {
      return SessionValue.invalid(NOT_SEALED);
    }
    Scratch scratch = scratch();
    synchronized (scratch) {
      return open(scratch, ring, text, nowSeconds);
    }
  }

  private static SessionValue open(Scratch scratch, KeyRing ring, CharSequence text,
      long nowSeconds) {
    byte[] value = scratch.value;
    int length = Base64Url.decode(text, value);
    if (length < 0) {
      return SessionValue.invalid(NOT_SEALED);
    }
    if (value[0] != VERSION) {
      return SessionValue.invalid(BAD_VERSION);
    }
    int idLength = value[1];
    int nonceAt = 2 + idLength;
    int cipherAt = nonceAt + NONCE_BYTES;
    if (idLength < 1 || idLength > KeyRing.MAX_ID_LENGTH
        || length < cipherAt + MIN_PLAINTEXT + TAG_BYTES) {
      return SessionValue.invalid(TRUNCATED);
    }
    KeyRing.Key key = ring.find(value, 2, idLength);
    if (key == null) {
      return SessionValue.invalid(UNKNOWN_KEY);
    }
    byte[] plain = scratch.plain;
    int plainLength;
    try {
      Cipher cipher = scratch.cipher;
      cipher.init(Cipher.DECRYPT_MODE, key.secret,
          new GCMParameterSpec(TAG_BYTES * 8, value, nonceAt, NONCE_BYTES));
      cipher.updateAAD(value, 0, nonceAt);
      plainLength = cipher.doFinal(value, cipherAt, length - cipherAt, plain, 0);
    } catch (AEADBadTagException e) {
      return SessionValue.invalid(FORGED);
    } catch (GeneralSecurityException | RuntimeException e) {
      return SessionValue.invalid(FORGED);
    }
    int addressLength = PackedAddress.length(plain, 0, plainLength);
    if (addressLength < 0 || addressLength + EXPIRY_BYTES != plainLength) {
      return SessionValue.invalid(BAD_PLAINTEXT);
    }
    String address = PackedAddress.unpack(plain, 0, addressLength);
    if (address == null) {
      return SessionValue.invalid(BAD_PLAINTEXT);
    }
    long expires = readLong(plain, addressLength);
    if (expires != 0 && Long.compareUnsigned(nowSeconds, expires) > 0) {
      return SessionValue.invalid("expired at " + Long.toUnsignedString(expires));
    }
    return SessionValue.sealed(address, expires, key.id);
  }

  /** The calling thread's stripe, created on first use. */
  private static Scratch scratch() {
    int index = Stripes.index();
    Scratch scratch = SCRATCH.get(index);
    if (scratch == null) {
      SCRATCH.compareAndSet(index, null, new Scratch());
      scratch = SCRATCH.get(index);
    }
    return scratch;
  }

  /** Whether {@code text} is shaped as a sealed value rather than an Envoy one (migrate mode). */
  static boolean looksSealed(String text) {
    return !text.isEmpty() && text.charAt(0) == FIRST_CHAR;
  }

  /** The key id a value names, for diagnostics; null when it names none readably. */
  static String keyId(CharSequence text) {
    if (text == null || text.length() < MIN_CHARS || text.length() > MAX_CHARS) {
      return null;
    }
    byte[] value = new byte[MAX_BYTES];
    int length = Base64Url.decode(text, value);
    if (length < 2 || value[0] != VERSION || value[1] < 1 || value[1] > KeyRing.MAX_ID_LENGTH
        || length < 2 + value[1]) {
      return null;
    }
    String id = new String(value, 2, value[1], StandardCharsets.US_ASCII);
    return KeyRing.isKeyId(id) ? id : null;
  }

  private static void writeLong(byte[] out, int offset, long value) {
    for (int i = 7; i >= 0; i--) {
      out[offset + i] = (byte) value;
      value >>>= 8;
    }
  }

  private static long readLong(byte[] in, int offset) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = value << 8 | (in[offset + i] & 0xFF);
    }
    return value;
  }
}
