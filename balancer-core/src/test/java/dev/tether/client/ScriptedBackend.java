package dev.tether.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A backend on 127.0.0.1 that speaks raw HTTP/1.1 bytes: it parses each request (head, and a body
 * by Content-Length or chunked), records it, and answers with whatever bytes the test scripts,
 * so that tests can send what well-behaved servers never do.
 */
final class ScriptedBackend implements AutoCloseable {
  /** One request as received. */
  record Received(String head, byte[] body, int connection) {
    String bodyText() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }
  }

  /** What to answer: the bytes, and whether to close the connection after them. */
  record Answer(byte[] bytes, boolean close, boolean silent) {
    static Answer of(String raw) {
      return new Answer(raw.getBytes(StandardCharsets.ISO_8859_1), false, false);
    }

    static Answer thenClose(String raw) {
      return new Answer(raw.getBytes(StandardCharsets.ISO_8859_1), true, false);
    }

    /** Never answers (until the backend closes). */
    static Answer silence() {
      return new Answer(new byte[0], false, true);
    }
  }

  private final ServerSocket server;
  private final Function<Received, Answer> script;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final Thread acceptor;

  ScriptedBackend(Function<Received, Answer> script) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.script = script;
    this.acceptor = new Thread(this::accept, "scripted-backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  int connections() {
    return connections.get();
  }

  /**
   * Waits, at most 10 s, until this backend has closed {@code count} connections itself; on
   * loopback the client's side sees the close as soon as it happens.
   */
  void awaitClosed(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (closed.get() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the backend closed " + closed.get() + " connections, not "
            + count + ", within 10s");
      }
      Thread.sleep(5);
    }
  }

  /** The next request received, waiting at most 10 s. */
  Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request reached the backend within 10s");
    }
    return r;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        int id = connections.incrementAndGet();
        Thread t = new Thread(() -> serve(socket, id), "scripted-backend-" + id);
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket, int id) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        byte[] body = readBody(in, head);
        Received r = new Received(head, body, id);
        received.add(r);
        Answer answer = script.apply(r);
        if (answer.silent()) {
          in.readAllBytes(); // until the client gives up
          return;
        }
        out.write(answer.bytes());
        out.flush();
        if (answer.close()) {
          return;
        }
      }
    } catch (IOException gone) {
      // The client closed the connection.
    } finally {
      closed.incrementAndGet();
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

  private static byte[] readBody(InputStream in, String head) throws IOException {
    String lower = head.toLowerCase(Locale.ROOT);
    if (lower.contains("\r\ntransfer-encoding: chunked\r\n")) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line(in), 16);
        if (size == 0) {
          line(in);
          return body.toByteArray();
        }
        body.write(in.readNBytes(size));
        line(in);
      }
    }
    int at = lower.indexOf("\r\ncontent-length: ");
    if (at < 0) {
      return new byte[0];
    }
    int end = lower.indexOf("\r\n", at + 2);
    int length = Integer.parseInt(lower.substring(at + 18, end).trim());
    return in.readNBytes(length);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("end of stream in a chunked body");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  /** Closes the listening socket and every connection, at once. */
  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : new ArrayList<>(sockets)) {
      s.close();
    }
  }
}
