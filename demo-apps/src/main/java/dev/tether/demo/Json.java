package dev.tether.demo;

import java.util.Map;

/** The little JSON the backends write: flat string maps, nothing read back. */
final class Json {

  private Json() {}

  /** {@code {"outer": {"k": "v", ...}}} with keys in the map's order. */
  static String object(String outer, Map<String, String> fields) {
    StringBuilder json = new StringBuilder(64 + fields.size() * 32);
    json.append("{\n  ").append(quote(outer)).append(": {");
    String separator = "\n    ";
    for (Map.Entry<String, String> field : fields.entrySet()) {
      json.append(separator).append(quote(field.getKey())).append(": ").append(quote(field.getValue()));
      separator = ",\n    ";
    }
    json.append(fields.isEmpty() ? "}\n}\n" : "\n  }\n}\n");
    return json.toString();
  }

  /** A JSON string literal (RFC 8259 section 7). */
  static String quote(String text) {
    StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
