package dev.tether.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the key ring file named by {@code sessionSealKeys}. At startup every problem is a
 * configuration error that names the key, the file and the line; later reads report the problem
 * to the caller, which keeps the ring it has (see {@link SessionSealing#refresh()}).
 */
final class KeyRingFile {
  /** A ring of a few keys is under a kilobyte; anything this large is not a key ring. */
  static final int MAX_BYTES = 64 * 1024;
  static final String KEY = "sessionSealKeys";

  private KeyRingFile() {}

  /** The ring in {@code file}; any problem is a {@link ConfigException} naming {@link #KEY}. */
  static KeyRing readAtStartup(String given, Path file) {
    try {
      return KeyRing.parse(text(read(file)));
    } catch (KeyRing.InvalidRing e) {
      throw startupError(given, file, e);
    }
  }

  /** A problem with the ring at startup, as the configuration error it is. */
  static ConfigException startupError(String given, Path file, KeyRing.InvalidRing problem) {
    return new ConfigException(KEY, given, "a key ring file, one line " + KeyRing.LINE_EXPECTED
        + " a key, the active key first; " + file + ": " + problem.getMessage(), problem);
  }

  /** The file's bytes; the problem as an {@link KeyRing.InvalidRing} when it cannot be read. */
  static byte[] read(Path file) throws KeyRing.InvalidRing {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new KeyRing.InvalidRing("larger than " + MAX_BYTES + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new KeyRing.InvalidRing("cannot be read (" + e + ")");
    }
  }

  static String text(byte[] content) throws KeyRing.InvalidRing {
    String text = Utf8.decodeStrict(content, 0, content.length);
    if (text == null) {
      throw new KeyRing.InvalidRing("not UTF-8 text");
    }
    return text;
  }
}
