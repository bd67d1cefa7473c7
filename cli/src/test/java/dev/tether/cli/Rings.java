package dev.tether.cli;

import dev.tether.core.KeyRing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;

/** Key ring lines for the CLI's tests: every key is derived from a seed, so tests repeat. */
final class Rings {
  private Rings() {}

  /** {@code id=BASE64} of 32 bytes drawn from {@code new Random(seed)}. */
  static String line(String id, long seed) {
    byte[] key = new byte[KeyRing.KEY_BYTES];
    new Random(seed).nextBytes(key);
    return id + "=" + Base64.getEncoder().encodeToString(key);
  }

  /** Writes {@code lines} to {@code file}, one a line. */
  static Path write(Path file, String... lines) {
    try {
      return Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
