package dev.tether.contract;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP/1.1 message heads on a byte stream (RFC 9112), for the backends and the raw client: read
 * a start line and its field lines as they are, write a response. Written for the contract
 * rather than borrowed from a server, because the point is to see and send exactly the bytes a
 * library would normalise.
 */
final class HttpWire {
  /** The longest head accepted: far above anything the contract sends. */
  static final int MAX_HEAD = 64 * 1024;

  private HttpWire() {}

  /** A message head: its start line and its field lines. */
  record Head(String startLine, Fields fields) {
    /** Request: the method. */
    String method() {
      return part(0);
    }

    /** Request: the target as sent. */
    String target() {
      return part(1);
    }

    /** Request: the protocol version; response: see {@link #status()}. */
    String version() {
      return part(2);
    }

    /** Response: the status code. */
    int status() {
      String[] parts = startLine.split(" ", 3);
      try {
        return Integer.parseInt(parts[1]);
      } catch (RuntimeException e) {
        throw new IllegalStateException("not a status line: " + startLine, e);
      }
    }

    /** Response: the reason phrase, maybe empty. */
    String reason() {
      String[] parts = startLine.split(" ", 3);
      return parts.length > 2 ? parts[2] : "";
    }

    private String part(int index) {
      String[] parts = startLine.split(" ", 3);
      return index < parts.length ? parts[index] : "";
    }
  }

  /**
   * Reads one head. Returns null when the connection ends (or is reset) before its first byte,
   * which is how a persistent connection ends; throws {@link EOFException} when it ends inside
   * the head. Empty lines before the start line are skipped (RFC 9112 section 2.2).
   */
  static Head readHead(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int total = 0;
    boolean any = false;
    while (true) {
      int b;
      try {
        b = in.read();
      } catch (java.net.SocketException e) {
        if (!any) {
          return null;
        }
        throw e;
      }
      if (b < 0) {
        if (!any) {
          return null;
        }
        throw new EOFException("the connection ended inside a message head");
      }
      if (++total > MAX_HEAD) {
        throw new IOException("message head longer than " + MAX_HEAD + " bytes");
      }
      if (b != '\n') {
        any = true;
        line.write(b);
        continue;
      }
      String text = line.toString(StandardCharsets.ISO_8859_1);
      line.reset();
      if (text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      if (text.isEmpty()) {
        if (lines.isEmpty()) {
          continue;
        }
        break;
      }
      any = true;
      lines.add(text);
    }
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (String field : lines.subList(1, lines.size())) {
      int colon = field.indexOf(':');
      if (colon <= 0) {
        throw new IOException("not a field line: " + field);
      }
      names.add(field.substring(0, colon));
      values.add(field.substring(colon + 1).trim());
    }
    return new Head(lines.get(0), new Fields(names, values));
  }

  /**
   * Writes a response with a {@code Content-Length} body. {@code fields} alternate name and
   * value.
   */
  static void writeResponse(OutputStream out, int status, byte[] body, String... fields)
      throws IOException {
    StringBuilder head = new StringBuilder(256);
    head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (int i = 0; i < fields.length; i += 2) {
      head.append(fields[i]).append(": ").append(fields[i + 1]).append("\r\n");
    }
    boolean bodiless = status < 200 || status == 204 || status == 304;
    if (!bodiless) {
      head.append("content-length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (!bodiless) {
      out.write(body);
    }
    out.flush();
  }

  /** A reason phrase for the statuses the backends send. */
  static String reason(int status) {
    return switch (status) {
      case 101 -> "Switching Protocols";
      case 200 -> "OK";
      case 204 -> "No Content";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 426 -> "Upgrade Required";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Status " + status;
    };
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
