package dev.tether.core.config;

import static dev.tether.core.config.ConfigKeys.FILE_REFRESH_RATE;
import static dev.tether.core.config.ConfigKeys.SESSION_SEAL;
import static dev.tether.core.config.ConfigKeys.SESSION_SEAL_KEYS;
import static dev.tether.core.config.ConfigKeys.SESSION_SEAL_TTL;

import dev.tether.api.SessionSeal;
import dev.tether.core.ConfigException;
import dev.tether.core.KeyRing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code sessionSeal}, {@code sessionSealKeys} and {@code sessionSealTtl}. The key ring file
 * is read once here, so that a missing or broken ring stops startup with the file and the line in
 * the message. The two other keys given while sealing is off are errors rather than ignored: an
 * operator who set a key ring believes values are sealed, and a forgotten {@code sessionSeal}
 * must not leave them plain without a word.
 */
final class SessionSealParser {
  static final String EXPECTED_MODE = "off, sealed or migrate";

  private SessionSealParser() {}

  /**
   * @param sessions whether {@code sessionCookie} or {@code sessionHeader} is set: there is
   *     nothing to seal otherwise
   */
  static SessionSeal parse(Values values, Path baseDir, boolean sessions) {
    String modeText = values.raw(SESSION_SEAL);
    SessionSeal.Mode mode = values.get(SESSION_SEAL);
    if (mode == SessionSeal.Mode.OFF) {
      for (ConfigKey<?> key : List.of(SESSION_SEAL_KEYS, SESSION_SEAL_TTL)) {
        if (values.isSet(key)) {
          throw new ConfigException(key.name(), values.raw(key),
              "unset unless sessionSeal is sealed or migrate");
        }
      }
      return SessionSeal.OFF;
    }
    if (!sessions) {
      throw new ConfigException(SESSION_SEAL.name(), modeText,
          "off unless sessionCookie or sessionHeader is set");
    }
    String keys = values.raw(SESSION_SEAL_KEYS);
    if (keys.isEmpty()) {
      throw new ConfigException(SESSION_SEAL_KEYS.name(), "(unset)", "the path of a key ring file,"
          + " which sessionSeal=" + mode.name().toLowerCase(Locale.ROOT) + " requires (tether"
          + " keygen prints a key line)");
    }
    Path file = baseDir.resolve(keys).toAbsolutePath().normalize();
    KeyRing.read(keys, file);
    Duration ttl = values.get(SESSION_SEAL_TTL);
    if (!ttl.isZero() && ttl.getSeconds() < 1) {
      throw new ConfigException(SESSION_SEAL_TTL.name(), values.raw(SESSION_SEAL_TTL),
          "0s (no expiry) or at least 1s, such as 30m or 12h");
    }
    return new SessionSeal(mode, file.toString(), ttl, values.get(FILE_REFRESH_RATE));
  }
}
