package dev.tether.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tether's sealed session values as the README documents them, written here independently of the
 * core so that the test can open what the containers write and forge what a client might send:
 * URL-safe Base64 without padding of {@code 0x01 | n | key id | nonce(12) | AES-256-GCM
 * ciphertext | tag(16)}, the header as AAD, the plaintext a packed address and an 8-byte expiry.
 * Only the IPv4 form is needed here: every backend listens on 127.0.0.1.
 */
final class SealedSession {

  /** A key ring as the tests write it: id to key, the first active. */
  static final class Ring {
    final Map<String, byte[]> keys = new LinkedHashMap<>();

    /** A ring of {@code id, seed} pairs; each key is 32 bytes of {@code new Random(seed)}. */
    static Ring of(Object... idsAndSeeds) {
      Ring ring = new Ring();
      for (int i = 0; i < idsAndSeeds.length; i += 2) {
        byte[] key = new byte[32];
        new Random(((Number) idsAndSeeds[i + 1]).longValue()).nextBytes(key);
        ring.keys.put((String) idsAndSeeds[i], key);
      }
      return ring;
    }

    /** The key ring file's content. */
    String file() {
      StringBuilder out = new StringBuilder("# written by the end-to-end test\n");
      keys.forEach((id, key) ->
          out.append(id).append('=').append(Base64.getEncoder().encodeToString(key)).append('\n'));
      return out.toString();
    }
  }

  /**
   * An opened value.
   *
   * @param address {@code ip:port}
   * @param expires Unix seconds, 0 for none
   * @param keyId the key that sealed it
   */
  record State(String address, long expires, String keyId) {}

  private SealedSession() {}

  /** The key id a value names (readable without a key: it is authenticated, not secret). */
  static String keyId(String value) {
    byte[] bytes = Base64.getUrlDecoder().decode(value);
    return new String(bytes, 2, bytes[1], StandardCharsets.US_ASCII);
  }

  /**
   * Opens {@code value} with {@code ring}.
   *
   * @throws IllegalArgumentException when it is not a value this ring sealed
   */
  static State open(String value, Ring ring) {
    if (!value.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("not URL-safe Base64 without padding: " + value);
    }
    byte[] bytes = Base64.getUrlDecoder().decode(value);
    if (bytes[0] != 1) {
      throw new IllegalArgumentException("version " + bytes[0] + ": " + value);
    }
    int n = bytes[1];
    String id = new String(bytes, 2, n, StandardCharsets.US_ASCII);
    byte[] key = ring.keys.get(id);
    if (key == null) {
      throw new IllegalArgumentException("key id " + id + " is not in the ring: " + value);
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(128, bytes, 2 + n, 12));
      cipher.updateAAD(bytes, 0, 2 + n);
      plain = cipher.doFinal(bytes, 2 + n + 12, bytes.length - (2 + n + 12));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("does not open with key " + id + ": " + value, e);
    }
    if (plain.length != 15 || plain[0] != 4) {
      throw new IllegalArgumentException("not a packed IPv4 address and expiry: "
          + Arrays.toString(plain));
    }
    ByteBuffer in = ByteBuffer.wrap(plain);
    in.get();
    String ip = (in.get() & 0xff) + "." + (in.get() & 0xff) + "." + (in.get() & 0xff) + "."
        + (in.get() & 0xff);
    int port = in.getShort() & 0xffff;
    return new State(ip + ":" + port, in.getLong(), id);
  }

  /** Seals {@code ipv4:port} with the ring's first key, as a front end would. */
  static String seal(String address, long expires, Ring ring, long nonceSeed) {
    Map.Entry<String, byte[]> active = ring.keys.entrySet().iterator().next();
    byte[] id = active.getKey().getBytes(StandardCharsets.US_ASCII);
    String[] hostPort = address.split(":");
    ByteBuffer plain = ByteBuffer.allocate(15).put((byte) 4);
    for (String part : hostPort[0].split("\\.")) {
      plain.put((byte) Integer.parseInt(part));
    }
    plain.putShort((short) Integer.parseInt(hostPort[1])).putLong(expires);
    byte[] header = ByteBuffer.allocate(2 + id.length).put((byte) 1).put((byte) id.length).put(id)
        .array();
    byte[] nonce = new byte[12];
    new Random(nonceSeed).nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(active.getValue(), "AES"),
          new GCMParameterSpec(128, nonce));
      cipher.updateAAD(header);
      byte[] sealed = cipher.doFinal(plain.array());
      byte[] value = ByteBuffer.allocate(header.length + 12 + sealed.length).put(header).put(nonce)
          .put(sealed).array();
      return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
