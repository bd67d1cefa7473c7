package dev.tether.tomcat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bare HTTP/1.1 client over a socket, for what the JDK client will not send (Connection,
 * Keep-Alive, Host of our choosing, bytes outside ASCII) and for watching a body arrive piece by
 * piece.
 */
final class RawHttp implements AutoCloseable {
  /** A parsed response: status, header lines, body. */
  record Answer(int status, List<String[]> headers, byte[] body) {
    String header(String name) {
      for (String[] field : headers) {
        if (field[0].equalsIgnoreCase(name)) {
          return field[1];
        }
      }
      return null;
    }

    List<String> headers(String name) {
      List<String> values = new ArrayList<>();
      for (String[] field : headers) {
        if (field[0].equalsIgnoreCase(name)) {
          values.add(field[1]);
        }
      }
      return values;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  final InputStream in;
  final OutputStream out;

  RawHttp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(20_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  Socket socket() {
    return socket;
  }

  /** Sends a request head given as lines (request line first), ISO-8859-1 encoded. */
  void sendHead(String... lines) throws IOException {
    StringBuilder head = new StringBuilder();
    for (String line : lines) {
      head.append(line).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** One request without a body, and its whole answer. */
  static Answer exchange(int port, String... lines) throws IOException {
    try (RawHttp http = new RawHttp(port)) {
      http.sendHead(lines);
      return http.readAnswer(!lines[0].startsWith("HEAD "));
    }
  }

  /** Reads a response; {@code withBody} false for the answer to a HEAD request. */
  Answer readAnswer(boolean withBody) throws IOException {
    String statusLine = readLine();
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    List<String[]> headers = new ArrayList<>();
    for (String line; !(line = readLine()).isEmpty(); ) {
      int colon = line.indexOf(':');
      headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
    }
    Answer head = new Answer(status, headers, new byte[0]);
    String length = head.header("content-length");
    String encoding = head.header("transfer-encoding");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (!withBody) {
      return head;
    }
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      readChunks(body);
    } else if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length)));
    }
    return new Answer(status, headers, body.toByteArray());
  }

  /** Reads one chunk's data; null at the last chunk. */
  byte[] readChunk() throws IOException {
    String sizeLine = readLine();
    int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
    if (size == 0) {
      readLine();
      return null;
    }
    byte[] data = in.readNBytes(size);
    readLine();
    return data;
  }

  private void readChunks(ByteArrayOutputStream body) throws IOException {
    for (byte[] chunk; (chunk = readChunk()) != null; ) {
      body.write(chunk);
    }
  }

  String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new IOException("connection closed mid-line: " + line);
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
