package dev.tether.core;

import dev.tether.api.EndpointSource;
import java.nio.file.Path;
import java.time.Duration;

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

  static EndpointSource parse(ConfigParser.Values values, Path baseDir) {
    String text = values.raw("endpoints").trim();
    if (text.regionMatches(true, 0, DNS_PREFIX, 0, DNS_PREFIX.length())) {
      fileRefreshRateUnused(values);
      String rest = text.substring(DNS_PREFIX.length());
      int colon = rest.lastIndexOf(':');
      if (colon <= 0 || rest.indexOf(':') != colon) {
        throw new ConfigException("endpoints", text, DNS_EXPECTED);
      }
      String name = rest.substring(0, colon);
      if (!isDnsName(name)) {
        throw new ConfigException("endpoints", text,
            DNS_EXPECTED + ", NAME a host name of letters, digits, '-', '_' and '.'");
      }
      int port;
      try {
        port = Integer.parseInt(rest.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new ConfigException("endpoints", text, DNS_EXPECTED + ", PORT from 1 to 65535", e);
      }
      if (port < 1 || port > 65535) {
        throw new ConfigException("endpoints", text, DNS_EXPECTED + ", PORT from 1 to 65535");
      }
      Duration refresh = ConfigParser.positiveDuration(values, "dnsRefreshRate");
      return EndpointSource.dns(name, port, refresh);
    }
    if (text.regionMatches(true, 0, FILE_PREFIX, 0, FILE_PREFIX.length())) {
      unsetUnless(values, "dnsRefreshRate", "dns:NAME:PORT");
      String path = text.substring(FILE_PREFIX.length()).trim();
      if (path.isEmpty()) {
        throw new ConfigException("endpoints", text, "file:PATH, e.g. file:etc/endpoints.yaml");
      }
      Path file = baseDir.resolve(path).toAbsolutePath().normalize();
      Duration refresh = ConfigParser.positiveDuration(values, "fileRefreshRate");
      return EndpointSource.file(file.toString(), refresh);
    }
    unsetUnless(values, "dnsRefreshRate", "dns:NAME:PORT");
    fileRefreshRateUnused(values);
    return EndpointSource.STATIC;
  }

  /** Endpoints are not a file: {@code fileRefreshRate} may still pace the key ring file. */
  private static void fileRefreshRateUnused(ConfigParser.Values values) {
    if (values.isSet("fileRefreshRate") && !values.isSet("sessionSealKeys")) {
      throw new ConfigException("fileRefreshRate", values.raw("fileRefreshRate"),
          "unset unless endpoints is file:PATH or sessionSealKeys is set");
    }
  }

  private static void unsetUnless(ConfigParser.Values values, String key, String source) {
    if (values.isSet(key)) {
      throw new ConfigException(key, values.raw(key), "unset unless endpoints is " + source);
    }
  }

  /** A host name as DNS and {@code InetAddress} accept it; IP literals pass too (they resolve
   * to themselves). */
  static boolean isDnsName(String name) {
    if (name.isEmpty() || name.length() > 253 || name.startsWith(".") || name.startsWith("-")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
