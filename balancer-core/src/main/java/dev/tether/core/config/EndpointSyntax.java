package dev.tether.core.config;

import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.core.ConfigException;
import dev.tether.core.internal.IpLiterals;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The endpoint syntax: one endpoint
 * {@code host:port[;weight=N][;hashKey=K][;locality=L][;priority=P][;health=STATE]}, IPv6 in
 * brackets, and the static list of them separated by commas. IP literals are stored in Envoy's
 * printed form so that session values and hash keys match Envoy's. Public for the other readers
 * of endpoint text: the cluster runtime's drain (any spelling of an address) and the CLI's
 * {@code --add}.
 */
public final class EndpointSyntax {
  static final String EXPECTED =
      "comma-separated host:port[;weight=N][;hashKey=K][;locality=L][;priority=P][;health=STATE]";

  /** The longest IPv6 zone accepted; interface names are at most 15 characters on Linux. */
  static final int MAX_ZONE = 64;

  private EndpointSyntax() {}

  /**
   * The endpoints of a comma-separated list; empty for a blank text.
   *
   * @throws ConfigException naming {@code key}, the text and what was expected
   */
  public static List<Endpoint> parseList(String key, String text) {
    List<Endpoint> endpoints = new ArrayList<>();
    Set<String> addresses = new HashSet<>();
    long weightSum = 0;
    for (String item : text.split(",", -1)) {
      String spec = item.trim();
      if (spec.isEmpty()) {
        if (text.trim().isEmpty()) {
          break;
        }
        throw new ConfigException(key, text, EXPECTED + ", with no empty item");
      }
      Endpoint endpoint = parse(key, spec);
      if (!addresses.add(endpoint.address())) {
        throw new ConfigException(key, text, "each address once; " + endpoint.address()
            + " is listed twice");
      }
      weightSum += endpoint.weight();
      endpoints.add(endpoint);
    }
    if (weightSum > 0xFFFFFFFFL) {
      throw new ConfigException(key, text, "weights that add up to at most 4294967295");
    }
    return endpoints;
  }

  /**
   * One endpoint.
   *
   * @throws ConfigException naming {@code key}, the spec and what was expected
   */
  public static Endpoint parse(String key, String spec) {
    String[] parts = spec.split(";", -1);
    String hostPort = parts[0].trim();
    String host;
    String portText;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
        throw new ConfigException(key, spec, "[ipv6]:port, e.g. [2001:db8::1]:8080");
      }
      host = hostPort.substring(1, close);
      int percent = host.indexOf('%');
      if (IpLiterals.parseV6(percent >= 0 ? host.substring(0, percent) : host) == null) {
        throw new ConfigException(key, spec, "a valid IPv6 address inside the brackets");
      }
      if (percent >= 0 && !isZone(host.substring(percent + 1))) {
        throw new ConfigException(key, spec,
            "a zone of 1 to " + MAX_ZONE + " letters, digits, '.', '-' or '_' after %, such as"
                + " [fe80::1%eth0]:8080");
      }
      portText = hostPort.substring(close + 2);
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || hostPort.indexOf(':') != colon) {
        throw new ConfigException(key, spec,
            "host:port (IPv6 in brackets: [2001:db8::1]:8080)");
      }
      host = hostPort.substring(0, colon);
      portText = hostPort.substring(colon + 1);
      if (!IpLiterals.isV4(host)
          && (!HostNames.isHostName(host) || HostNames.looksNumeric(host))) {
        throw new ConfigException(key, spec, "an IPv4 address or host name before the port");
      }
    }
    int port = parseInt(key, spec, portText, 1, 65535, "a port from 1 to 65535");
    int weight = 1;
    String hashKey = "";
    String locality = "";
    int priority = 0;
    Health health = Health.HEALTHY;
    for (int i = 1; i < parts.length; i++) {
      String attribute = parts[i].trim();
      int equals = attribute.indexOf('=');
      if (equals <= 0) {
        throw new ConfigException(key, spec,
            "attributes as name=value: weight, hashKey, locality, priority, health");
      }
      String name = attribute.substring(0, equals).trim();
      String value = attribute.substring(equals + 1).trim();
      switch (name) {
        case "weight":
          weight = parseInt(key, spec, value, 1, Integer.MAX_VALUE, "weight=N with N >= 1");
          break;
        case "hashKey":
          if (value.isEmpty()) {
            throw new ConfigException(key, spec, "a non-empty hashKey");
          }
          hashKey = value;
          break;
        case "locality":
          locality = value;
          break;
        case "priority":
          priority = parseInt(key, spec, value, 0, 127, "priority=P with P from 0 to 127");
          break;
        case "health":
          health = parseHealth(key, spec, value);
          break;
        default:
          throw new ConfigException(key, spec,
              "attributes weight, hashKey, locality, priority or health, not " + name);
      }
    }
    return new Endpoint(IpLiterals.canonical(host), port, weight, hashKey, locality, priority,
        health);
  }

  /**
   * An IPv6 zone (RFC 4007 section 11): an interface name or index. Anything else was accepted
   * until fuzzing showed that a long or non-ASCII zone makes an address no sealed session value
   * can carry (at most 255 bytes of host).
   */
  private static boolean isZone(String zone) {
    if (zone.isEmpty() || zone.length() > MAX_ZONE) {
      return false;
    }
    for (int i = 0; i < zone.length(); i++) {
      char c = zone.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static Health parseHealth(String key, String spec, String value) {
    try {
      return Health.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, spec,
          "health UNKNOWN, HEALTHY, DEGRADED, UNHEALTHY or DRAINING", e);
    }
  }

  private static int parseInt(String key, String spec, String text, int min, int max,
      String expected) {
    try {
      long value = Long.parseLong(text.trim());
      if (value < min || value > max) {
        throw new ConfigException(key, spec, expected);
      }
      return (int) value;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, spec, expected, e);
    }
  }
}
