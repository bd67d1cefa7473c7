package dev.tether.core.config;

import static dev.tether.core.config.ConfigKeys.DNS_REFRESH_RATE;
import static dev.tether.core.config.ConfigKeys.DNS_RESOLVERS;
import static dev.tether.core.config.ConfigKeys.ENDPOINTS;
import static dev.tether.core.config.ConfigKeys.FILE_REFRESH_RATE;
import static dev.tether.core.config.ConfigKeys.SESSION_SEAL_KEYS;

import dev.tether.api.EndpointSource;
import dev.tether.core.ConfigException;
import java.nio.file.Path;

/**
 * Reads the {@code endpoints} key as one of three sources: {@code dns:NAME:PORT},
 * {@code file:PATH} (relative to the base directory), or the static list; and the refresh rate
 * that belongs to the source. A refresh rate set for a source that does not use it is an error,
 * so that a typo in {@code endpoints} does not pass silently.
 */
final class EndpointSources {
  static final String DNS_PREFIX = "dns:";
  static final String FILE_PREFIX = "file:";
  static final String DNS_EXPECTED = "dns:NAME:PORT, e.g. dns:helloworld:8080";

  private EndpointSources() {}

  static EndpointSource parse(Values values, Path baseDir) {
    String text = values.raw(ENDPOINTS);
    if (text.regionMatches(true, 0, DNS_PREFIX, 0, DNS_PREFIX.length())) {
      fileRefreshRateUnused(values);
      String rest = text.substring(DNS_PREFIX.length());
      int colon = rest.lastIndexOf(':');
      if (colon <= 0 || rest.indexOf(':') != colon) {
        throw new ConfigException(ENDPOINTS.name(), text, DNS_EXPECTED);
      }
      String name = rest.substring(0, colon);
      if (!HostNames.isHostName(name)) {
        throw new ConfigException(ENDPOINTS.name(), text,
            DNS_EXPECTED + ", NAME a host name of letters, digits, '-', '_' and '.'");
      }
      int port;
      try {
        port = Integer.parseInt(rest.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new ConfigException(ENDPOINTS.name(), text, DNS_EXPECTED + ", PORT from 1 to 65535",
            e);
      }
      if (port < 1 || port > 65535) {
        throw new ConfigException(ENDPOINTS.name(), text, DNS_EXPECTED + ", PORT from 1 to 65535");
      }
      return EndpointSource.dns(name, port, values.get(DNS_REFRESH_RATE),
          values.get(DNS_RESOLVERS));
    }
    if (text.regionMatches(true, 0, FILE_PREFIX, 0, FILE_PREFIX.length())) {
      unsetUnless(values, DNS_REFRESH_RATE, "dns:NAME:PORT");
      unsetUnless(values, DNS_RESOLVERS, "dns:NAME:PORT");
      String path = text.substring(FILE_PREFIX.length()).trim();
      if (path.isEmpty()) {
        throw new ConfigException(ENDPOINTS.name(), text, "file:PATH, e.g. file:etc/endpoints.yaml");
      }
      Path file = baseDir.resolve(path).toAbsolutePath().normalize();
      return EndpointSource.file(file.toString(), values.get(FILE_REFRESH_RATE));
    }
    unsetUnless(values, DNS_REFRESH_RATE, "dns:NAME:PORT");
    unsetUnless(values, DNS_RESOLVERS, "dns:NAME:PORT");
    fileRefreshRateUnused(values);
    return EndpointSource.STATIC;
  }

  /** Endpoints are not a file: {@code fileRefreshRate} may still pace the key ring file. */
  private static void fileRefreshRateUnused(Values values) {
    if (values.isSet(FILE_REFRESH_RATE) && !values.isSet(SESSION_SEAL_KEYS)) {
      throw new ConfigException(FILE_REFRESH_RATE.name(), values.raw(FILE_REFRESH_RATE),
          "unset unless endpoints is file:PATH or sessionSealKeys is set");
    }
  }

  private static void unsetUnless(Values values, ConfigKey<?> key, String source) {
    if (values.isSet(key)) {
      throw new ConfigException(key.name(), values.raw(key), "unset unless endpoints is " + source);
    }
  }
}
