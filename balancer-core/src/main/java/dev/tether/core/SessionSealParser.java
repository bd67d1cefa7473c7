package dev.tether.core;

import dev.tether.api.SessionSeal;
import java.nio.file.Path;
import java.time.Duration;
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
  static SessionSeal parse(ConfigParser.Values values, Path baseDir, boolean sessions) {
    String modeText = values.raw("sessionSeal");
    SessionSeal.Mode mode;
    switch (modeText.toLowerCase(Locale.ROOT)) {
      case "off":
        mode = SessionSeal.Mode.OFF;
        break;
      case "sealed":
        mode = SessionSeal.Mode.SEALED;
        break;
      case "migrate":
        mode = SessionSeal.Mode.MIGRATE;
        break;
      default:
        throw new ConfigException("sessionSeal", modeText, EXPECTED_MODE);
    }
    if (mode == SessionSeal.Mode.OFF) {
      for (String key : new String[] {"sessionSealKeys", "sessionSealTtl"}) {
        if (values.isSet(key)) {
          throw new ConfigException(key, values.raw(key),
              "unset unless sessionSeal is sealed or migrate");
        }
      }
      return SessionSeal.OFF;
    }
    if (!sessions) {
      throw new ConfigException("sessionSeal", modeText,
          "off unless sessionCookie or sessionHeader is set");
    }
    String keys = values.raw("sessionSealKeys");
    if (keys.isEmpty()) {
      throw new ConfigException("sessionSealKeys", "(unset)", "the path of a key ring file, which"
          + " sessionSeal=" + mode.name().toLowerCase(Locale.ROOT) + " requires (tether keygen"
          + " prints a key line)");
    }
    Path file = baseDir.resolve(keys).toAbsolutePath().normalize();
    KeyRingFile.readAtStartup(keys, file);
    Duration ttl = Durations.parse("sessionSealTtl", values.raw("sessionSealTtl"));
    if (!ttl.isZero() && ttl.getSeconds() < 1) {
      throw new ConfigException("sessionSealTtl", values.raw("sessionSealTtl"),
          "0s (no expiry) or at least 1s, such as 30m or 12h");
    }
    Duration refresh = ConfigParser.positiveDuration(values, "fileRefreshRate");
    return new SessionSeal(mode, file.toString(), ttl, refresh);
  }
}
