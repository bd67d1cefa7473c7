package dev.tether.jetty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for requests no HTTP client library will send as written
 * (Connection, Keep-Alive, TE, Upgrade, Host): one request, {@code Connection: close}, response
 * read to the end.
 */
final class RawHttp {
  private RawHttp() {}

  record Response(int status, List<String[]> headers, String body) {
    List<String> values(String name) {
      List<String> values = new ArrayList<>();
      for (String[] header : headers) {
        if (header[0].equalsIgnoreCase(name)) {
          values.add(header[1]);
        }
      }
      return values;
    }

    List<String> names() {
      List<String> names = new ArrayList<>();
      for (String[] header : headers) {
        names.add(header[0].toLowerCase(Locale.ROOT));
      }
      return names;
    }
  }

  /** Sends {@code head} (request line and header lines, CRLF-terminated) and reads the answer. */
  static Response exchange(URI proxy, String head) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.getPort())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      byte[] all = socket.getInputStream().readAllBytes();
      return parse(all);
    }
  }

  private static Response parse(byte[] all) throws IOException {
    String text = new String(all, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no complete response head: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    List<String[]> headers = new ArrayList<>();
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      String name = lines[i].substring(0, colon).trim();
      String value = lines[i].substring(colon + 1).trim();
      headers.add(new String[] {name, value});
      chunked |= name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked");
    }
    String rest = text.substring(end + 4);
    return new Response(status, headers, chunked ? dechunk(rest) : rest);
  }

  private static String dechunk(String chunked) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
      if (size == 0) {
        return out.toString(StandardCharsets.ISO_8859_1);
      }
      out.write(chunked.substring(lineEnd + 2, lineEnd + 2 + size)
          .getBytes(StandardCharsets.ISO_8859_1));
      at = lineEnd + 2 + size + 2;
    }
  }

  /** Reads a stream to the end; for tests that drain bodies. */
  static long drain(InputStream in) throws IOException {
    long total = 0;
    byte[] buffer = new byte[65536];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      total += n;
    }
    return total;
  }
}
