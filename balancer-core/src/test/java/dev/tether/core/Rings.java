package dev.tether.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/** Key ring lines and rings for tests: every key is derived from a seed, so tests repeat. */
public final class Rings {
  private Rings() {}

  /** {@code id=BASE64} of 32 bytes drawn from {@code new Random(seed)}. */
  public static String line(String id, long seed) {
    byte[] key = new byte[KeyRing.KEY_BYTES];
    new Random(seed).nextBytes(key);
    return id + "=" + Base64.getEncoder().encodeToString(key);
  }

  /** A ring of the given {@code id, seed} pairs, the first active. */
  public static KeyRing ring(Object... idsAndSeeds) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < idsAndSeeds.length; i += 2) {
      lines.add(line((String) idsAndSeeds[i], ((Number) idsAndSeeds[i + 1]).longValue()));
    }
    try {
      return KeyRing.parse(String.join("\n", lines));
    } catch (KeyRing.InvalidRing e) {
      throw new AssertionError(e);
    }
  }

  /** Writes {@code lines} to {@code file}, one a line. */
  public static Path write(Path file, String... lines) {
    try {
      return Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
