package dev.tether.it.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One TCP connection to a container, written and read byte by byte: for what the JDK client
 * hides (a {@code 101}'s headers, a response that stops halfway, the exact moment a connection
 * ends) and for WebSocket frames on a socket whose handshake the test inspected itself. Every
 * read is bounded by a timeout.
 */
public final class RawConnection implements AutoCloseable {

  /** RFC 6455 section 1.3: appended to the key before hashing it into the accept value. */
  private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects to the host and port of {@code base}. */
  public static RawConnection open(URI base) {
    try {
      Socket socket = new Socket(base.getHost(), base.getPort());
      socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
      socket.setTcpNoDelay(true);
      return new RawConnection(socket);
    } catch (IOException e) {
      throw new UncheckedIOException("connect to " + base, e);
    }
  }

  /** Writes {@code text} (a request head, CRLFs included) as ISO-8859-1 bytes. */
  public void send(String text) {
    write(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads a response head up to and including its blank line. */
  public Head readHead() {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IllegalStateException("connection closed after "
              + head.toString(StandardCharsets.ISO_8859_1).length() + " bytes of a response head: "
              + head.toString(StandardCharsets.ISO_8859_1));
        }
        head.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading a response head", e);
    }
    return Head.parse(head.toString(StandardCharsets.ISO_8859_1));
  }

  /** Reads body bytes up to a newline; the line without it, as UTF-8. */
  public String readLine() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IllegalStateException("connection closed inside a line: "
              + line.toString(StandardCharsets.UTF_8));
        }
        line.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading a line", e);
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  /**
   * Reads whatever arrives until the peer closes or resets the connection, or {@code max}
   * passes.
   */
  public Ending readUntilClosed(Duration max) {
    long start = System.nanoTime();
    long deadline = start + max.toNanos();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    boolean closed = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        int read = in.read(buffer);
        if (read < 0) {
          closed = true;
          break;
        }
        received.write(buffer, 0, read);
      }
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (SocketException e) {
      closed = true; // reset by the peer
    } catch (IOException e) {
      throw new UncheckedIOException("reading until closed", e);
    }
    return new Ending(received.toByteArray(), closed,
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** Sends one text message in one masked frame, as a WebSocket client must (RFC 6455 5.3). */
  public void sendText(String message) {
    byte[] payload = message.getBytes(StandardCharsets.UTF_8);
    if (payload.length > 0xffff) {
      throw new IllegalArgumentException("message: " + payload.length + " bytes (expected: <= 65535)");
    }
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 8);
    frame.write(0x81); // FIN, text
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    write(frame.toByteArray());
  }

  /** Reads one unfragmented, unmasked text frame from the server; its text. */
  public String readText() {
    try {
      int first = readByte();
      int second = readByte();
      int opcode = first & 0x0f;
      long length = second & 0x7f;
      if (length == 126) {
        length = (readByte() << 8) | readByte();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | readByte();
        }
      }
      if ((second & 0x80) != 0 || length > 1 << 20) {
        throw new IllegalStateException("unexpected frame from the server: masked or " + length
            + " bytes");
      }
      byte[] payload = in.readNBytes((int) length);
      if (opcode != 1 || (first & 0x80) == 0) {
        throw new IllegalStateException("expected a whole text frame, got opcode " + opcode
            + " fin " + ((first & 0x80) != 0) + " payload " + payload.length + " bytes");
      }
      return new String(payload, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading a WebSocket frame", e);
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new IllegalStateException("connection closed inside a WebSocket frame");
    }
    return b;
  }

  private void write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + bytes.length + " bytes", e);
    }
  }

  /** A fresh {@code Sec-WebSocket-Key}: 16 random bytes in Base64. */
  public static String newWebSocketKey() {
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** The {@code Sec-WebSocket-Accept} a server must answer {@code key} with. */
  public static String webSocketAccept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JDK", e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing is best effort.
    }
  }

  /**
   * A response head.
   *
   * @param statusLine the first line, for example {@code HTTP/1.1 101 Switching Protocols}
   * @param status its status code
   * @param fields {@code name, value} pairs in arrival order
   */
  public record Head(String statusLine, int status, List<String[]> fields) {

    static Head parse(String text) {
      String[] lines = text.split("\r\n");
      String[] statusParts = lines[0].split(" ", 3);
      if (statusParts.length < 2 || !statusParts[0].startsWith("HTTP/")) {
        throw new IllegalStateException("not an HTTP response head: " + text);
      }
      List<String[]> fields = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          fields.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()});
        }
      }
      return new Head(lines[0], Integer.parseInt(statusParts[1]), List.copyOf(fields));
    }

    /** The first value of field {@code name} (any case). */
    public Optional<String> header(String name) {
      return headers(name).stream().findFirst();
    }

    /** Every value of field {@code name} (any case), in order. */
    public List<String> headers(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      return fields.stream().filter(f -> f[0].toLowerCase(Locale.ROOT).equals(lower))
          .map(f -> f[1]).toList();
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder(statusLine);
      fields.forEach(f -> text.append(" | ").append(f[0]).append(": ").append(f[1]));
      return text.toString();
    }
  }

  /**
   * How a connection ended for {@link #readUntilClosed}.
   *
   * @param received the bytes that arrived first
   * @param closed whether the peer closed or reset it (false: still open when time ran out)
   * @param after how long the read waited
   */
  public record Ending(byte[] received, boolean closed, Duration after) {
    public String text() {
      return new String(received, StandardCharsets.UTF_8);
    }
  }
}
