package dev.tether.core.config;

import dev.tether.api.CookieAttribute;
import dev.tether.api.HashPolicy;
import dev.tether.core.ConfigException;
import dev.tether.core.internal.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code hashPolicy}: comma-separated
 * {@code header:NAME | cookie:NAME[;ttl=DURATION][;path=P][;attribute=NAME[=VALUE]]... | sourceIp
 * | query:NAME}, each optionally followed by {@code ;terminal}.
 */
final class HashPolicyParser {
  static final String EXPECTED = "comma-separated header:NAME | cookie:NAME[;ttl=DURATION]"
      + "[;path=P][;attribute=NAME[=VALUE]]... | sourceIp | query:NAME, each optionally followed"
      + " by ;terminal";

  /** {@code hashPolicy}'s row syntax: the list, written back as it is read. */
  static final Syntax<List<HashPolicy>> SYNTAX = new Syntax<>() {
    @Override
    public List<HashPolicy> parse(String key, String text) {
      return HashPolicyParser.parse(key, text);
    }

    @Override
    public String format(List<HashPolicy> value) {
      List<String> items = new ArrayList<>();
      for (HashPolicy policy : value) {
        items.add(HashPolicyParser.format(policy));
      }
      return String.join(",", items);
    }
  };

  private HashPolicyParser() {}

  static List<HashPolicy> parse(String key, String text) {
    List<HashPolicy> policies = new ArrayList<>();
    if (text.trim().isEmpty()) {
      return policies;
    }
    for (String item : text.split(",", -1)) {
      String spec = item.trim();
      if (spec.isEmpty()) {
        throw new ConfigException(key, text, EXPECTED);
      }
      policies.add(parseOne(key, spec));
    }
    return policies;
  }

  private static HashPolicy parseOne(String key, String spec) {
    String[] parts = spec.split(";", -1);
    String head = parts[0].trim();
    HashPolicy.Type type;
    String name = "";
    if (head.equals("sourceIp")) {
      type = HashPolicy.Type.SOURCE_IP;
    } else {
      int colon = head.indexOf(':');
      if (colon < 0) {
        throw new ConfigException(key, spec, EXPECTED);
      }
      String kind = head.substring(0, colon);
      name = head.substring(colon + 1).trim();
      switch (kind) {
        case "header":
          type = HashPolicy.Type.HEADER;
          break;
        case "cookie":
          type = HashPolicy.Type.COOKIE;
          break;
        case "query":
          type = HashPolicy.Type.QUERY_PARAMETER;
          break;
        default:
          throw new ConfigException(key, spec, EXPECTED);
      }
      if (!Tokens.isToken(name)) {
        throw new ConfigException(key, spec, "a " + kind + " name made of token characters");
      }
    }
    Duration ttl = null;
    String path = "";
    List<CookieAttribute> attributes = new ArrayList<>();
    boolean terminal = false;
    for (int i = 1; i < parts.length; i++) {
      String option = parts[i].trim();
      if (option.equals("terminal")) {
        terminal = true;
        continue;
      }
      int equals = option.indexOf('=');
      String optionName = equals < 0 ? option : option.substring(0, equals);
      String value = equals < 0 ? "" : option.substring(equals + 1);
      if (type != HashPolicy.Type.COOKIE || equals < 0) {
        throw new ConfigException(key, spec, type == HashPolicy.Type.COOKIE
            ? "cookie options ttl=, path=, attribute= or terminal"
            : "only ;terminal after " + head);
      }
      switch (optionName) {
        case "ttl":
          ttl = Durations.parse(key, value);
          break;
        case "path":
          path = value;
          break;
        case "attribute":
          attributes.add(parseAttribute(key, spec, value));
          break;
        default:
          throw new ConfigException(key, spec, "cookie options ttl=, path=, attribute= or terminal");
      }
    }
    return new HashPolicy(type, name, ttl, path, attributes, terminal);
  }

  private static String format(HashPolicy policy) {
    StringBuilder text = new StringBuilder();
    switch (policy.type()) {
      case HEADER -> text.append("header:").append(policy.name());
      case COOKIE -> text.append("cookie:").append(policy.name());
      case SOURCE_IP -> text.append("sourceIp");
      case QUERY_PARAMETER -> text.append("query:").append(policy.name());
    }
    if (policy.ttl() != null) {
      text.append(";ttl=").append(Durations.format(policy.ttl()));
    }
    if (!policy.path().isEmpty()) {
      text.append(";path=").append(policy.path());
    }
    for (CookieAttribute attribute : policy.attributes()) {
      text.append(";attribute=").append(attribute.name());
      if (!attribute.value().isEmpty()) {
        text.append('=').append(attribute.value());
      }
    }
    return policy.terminal() ? text.append(";terminal").toString() : text.toString();
  }

  static CookieAttribute parseAttribute(String key, String spec, String text) {
    int equals = text.indexOf('=');
    String name = (equals < 0 ? text : text.substring(0, equals)).trim();
    String value = equals < 0 ? "" : text.substring(equals + 1).trim();
    if (!Tokens.isToken(name)) {
      throw new ConfigException(key, spec, "cookie attributes as NAME or NAME=VALUE");
    }
    return new CookieAttribute(name, value);
  }
}
