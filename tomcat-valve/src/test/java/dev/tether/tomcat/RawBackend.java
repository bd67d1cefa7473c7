package dev.tether.tomcat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A backend on 127.0.0.1 that only accepts connections and reads each request head: what it
 * answers, and what it does with the connection afterwards (a 101 and then raw bytes, a plain
 * response, a reset), the test decides on its own thread through {@link Accepted}. For upgrades,
 * where a well-behaved HTTP server would stand in the way.
 */
final class RawBackend implements AutoCloseable {
  /** One connection, its request head read. */
  static final class Accepted {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final String head;

    Accepted(Socket socket, String head) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
      this.head = head;
    }

    /** The value of a request header (first match, case-insensitive), or null. */
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    void send(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** A 101 for {@code protocol}, followed at once (same write) by {@code first}. */
    void switchProtocols(String protocol, String first) throws IOException {
      send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + protocol
          + "\r\nConnection: Upgrade\r\nX-Backend: raw\r\n\r\n" + first);
    }

    /** Exactly {@code n} bytes as text; fails when the stream ends first. */
    String read(int n) throws IOException {
      byte[] bytes = in.readNBytes(n);
      if (bytes.length < n) {
        throw new IOException("stream ended after " + bytes.length + " of " + n + " bytes: "
            + new String(bytes, StandardCharsets.ISO_8859_1));
      }
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Whether the peer ended its stream (EOF or reset) within {@code millis}. */
    boolean endsWithin(long millis) throws IOException {
      socket.setSoTimeout((int) millis);
      try {
        return in.read() < 0;
      } catch (SocketTimeoutException stillOpen) {
        return false;
      } catch (IOException reset) {
        return true;
      }
    }

    void close() throws IOException {
      socket.close();
    }
  }

  private final ServerSocket server;
  private final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  RawBackend() throws IOException {
    server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::accept, "raw-backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** The next connection whose request head arrived, waiting at most 10 s. */
  Accepted next() throws InterruptedException {
    Accepted next = accepted.poll(10, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("no request reached the backend within 10s");
    }
    return next;
  }

  /** A connection that has arrived already, or null. */
  Accepted poll() {
    return accepted.poll();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        socket.setSoTimeout(20_000);
        String head = readHead(socket.getInputStream());
        if (head != null) {
          accepted.add(new Accepted(socket, head));
        }
      } catch (IOException closed) {
        // The server closed, or a client went away mid-head.
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
