package dev.tether.core.config;

import dev.tether.api.Endpoint;
import dev.tether.api.Health;
import dev.tether.core.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads an endpoints file: YAML or JSON (JSON is YAML), either a list or a mapping with an
 * {@code endpoints} list. Each item is a mapping
 *
 * <pre>
 * - address: 10.0.0.1:8080      # or host: 10.0.0.1 and port: 8080; IPv6 as [2001:db8::1]:8080
 *   weight: 2                   # optional, default 1
 *   hashKey: a                  # optional (Envoy's envoy.lb metadata hash_key)
 *   locality: zone-a            # optional
 *   priority: 0                 # optional
 *   health: DRAINING            # optional: UNKNOWN, HEALTHY (default), DEGRADED, UNHEALTHY, DRAINING
 * </pre>
 *
 * or a string in the {@code endpoints} key's syntax ({@code 10.0.0.1:8080;weight=2}).
 *
 * <p>The result is sorted by address: the file's order does not matter, so two Tether instances
 * reading the same set in different orders build identical tables.
 *
 * <p>Public for the cluster runtime, which re-reads the file while Tether runs and keeps the last
 * good set when a new version is broken; at startup a broken file is a configuration error.
 */
public final class EndpointsFile {
  /** Larger files are refused: an endpoints file of a few thousand entries is far smaller. */
  static final int MAX_BYTES = 4 * 1024 * 1024;

  /**
   * The order of every discovered endpoint set (file and DNS): by address, so that replicas given
   * the same set in any order build the same table.
   */
  public static final Comparator<Endpoint> BY_ADDRESS = Comparator.comparing(Endpoint::address);

  private static final Set<String> FIELDS =
      Set.of("address", "host", "port", "weight", "hashKey", "locality", "priority", "health");

  /** Why a file cannot be used; the message reads well after "endpoints file PATH: ". */
  public static final class InvalidFile extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidFile(String message) {
      super(message);
    }

    InvalidFile(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private EndpointsFile() {}

  /** Reads the file when the configuration is parsed; any problem is a configuration error. */
  static List<Endpoint> readAtStartup(String given, Path file) {
    try {
      return parse(read(file));
    } catch (InvalidFile e) {
      throw new ConfigException("endpoints", given,
          "file:PATH naming a YAML or JSON list of endpoints; " + file + ": " + e.getMessage(), e);
    }
  }

  /** The file's bytes, at most {@value #MAX_BYTES}. */
  public static byte[] read(Path file) throws InvalidFile {
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new InvalidFile("larger than " + MAX_BYTES + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidFile("cannot be read (" + e + ")", e);
    }
  }

  /** The endpoints a file's content lists, sorted {@link #BY_ADDRESS}. */
  public static List<Endpoint> parse(byte[] content) throws InvalidFile {
    Object document;
    try {
      document = Yamls.loader().load(new String(content, StandardCharsets.UTF_8));
    } catch (YAMLException | IllegalArgumentException e) {
      // SnakeYAML's SafeConstructor throws IllegalArgumentException for a !!binary that is not
      // Base64 (found by fuzzing); nothing in the load throws a ConfigException.
      throw new InvalidFile("not valid YAML or JSON (" + oneLine(e.getMessage()) + ")", e);
    }
    if (document instanceof Map<?, ?> map && map.size() == 1 && map.containsKey("endpoints")) {
      document = map.get("endpoints");
    }
    if (!(document instanceof List<?> items)) {
      throw new InvalidFile("expected a list of endpoints (or endpoints: [...]), found "
          + (document == null ? "an empty document" : describe(document)));
    }
    List<Endpoint> endpoints = new ArrayList<>(items.size());
    Set<String> addresses = new HashSet<>();
    long weightSum = 0;
    for (int i = 0; i < items.size(); i++) {
      Endpoint endpoint = item(items.get(i), i + 1);
      if (!addresses.add(endpoint.address())) {
        throw new InvalidFile("item " + (i + 1) + ": " + endpoint.address() + " is listed twice");
      }
      weightSum += endpoint.weight();
      endpoints.add(endpoint);
    }
    if (weightSum > 0xFFFFFFFFL) {
      throw new InvalidFile("weights add up to more than 4294967295");
    }
    endpoints.sort(BY_ADDRESS);
    return List.copyOf(endpoints);
  }

  private static Endpoint item(Object item, int number) throws InvalidFile {
    String where = "item " + number;
    if (item instanceof String spec) {
      try {
        return EndpointSyntax.parse(where, spec.trim());
      } catch (ConfigException e) {
        throw new InvalidFile(e.getMessage(), e);
      }
    }
    if (!(item instanceof Map<?, ?> fields)) {
      throw new InvalidFile(where + ": expected a mapping such as {address: 10.0.0.1:8080} or a"
          + " string, found " + describe(item));
    }
    for (Object field : fields.keySet()) {
      if (!FIELDS.contains(String.valueOf(field))) {
        throw new InvalidFile(where + ": unknown field " + field + " (expected: "
            + String.join(", ", new TreeSet<>(FIELDS)) + ")");
      }
    }
    String hostPort;
    if (fields.containsKey("address")) {
      if (fields.containsKey("host") || fields.containsKey("port")) {
        throw new InvalidFile(where + ": address, or host and port, not both");
      }
      hostPort = text(fields, "address", where);
    } else {
      String host = text(fields, "host", where);
      long port = number(fields, "port", where, -1);
      hostPort = (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host)
          + ":" + port;
    }
    Endpoint base;
    try {
      base = EndpointSyntax.parse(where + ".address", hostPort);
    } catch (ConfigException e) {
      throw new InvalidFile(e.getMessage(), e);
    }
    long weight = number(fields, "weight", where, 1);
    long priority = number(fields, "priority", where, 0);
    if (weight < 1 || weight > Integer.MAX_VALUE) {
      throw new InvalidFile(where + ".weight: " + weight + " (expected: 1 to 2147483647)");
    }
    if (priority > 127) {
      throw new InvalidFile(where + ".priority: " + priority + " (expected: 0 to 127)");
    }
    String hashKey = fields.containsKey("hashKey") ? text(fields, "hashKey", where) : "";
    String locality = fields.containsKey("locality") ? text(fields, "locality", where) : "";
    Health health = Health.HEALTHY;
    if (fields.containsKey("health")) {
      String value = text(fields, "health", where);
      try {
        health = Health.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidFile(where + ".health: " + value
            + " (expected: UNKNOWN, HEALTHY, DEGRADED, UNHEALTHY or DRAINING)", e);
      }
    }
    return new Endpoint(base.host(), base.port(), (int) weight, hashKey, locality, (int) priority,
        health);
  }

  private static String text(Map<?, ?> fields, String field, String where) throws InvalidFile {
    Object value = fields.get(field);
    if (!(value instanceof String) && !(value instanceof Number)) {
      throw new InvalidFile(where + "." + field + ": " + (value == null ? "missing" : describe(value))
          + " (expected: a non-empty string)");
    }
    String text = String.valueOf(value).trim();
    if (text.isEmpty()) {
      throw new InvalidFile(where + "." + field + ": \"\" (expected: a non-empty string)");
    }
    return text;
  }

  private static long number(Map<?, ?> fields, String field, String where, long fallback)
      throws InvalidFile {
    Object value = fields.get(field);
    if (value == null && fallback >= 0) {
      return fallback;
    }
    if (value instanceof Integer || value instanceof Long) {
      long n = ((Number) value).longValue();
      if (n >= 0) {
        return n;
      }
    }
    throw new InvalidFile(where + "." + field + ": " + (value == null ? "missing" : value)
        + " (expected: a whole number >= 0)");
  }

  private static String describe(Object value) {
    if (value == null) {
      return "an empty item"; // "- " with nothing after it (found by fuzzing)
    }
    String text = String.valueOf(value);
    return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " "
        + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replace('\n', ' ').replaceAll(" +", " ").trim();
  }
}
