package dev.tether.contract;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that answers, over persistent HTTP/1.1 connections, naming itself in
 * {@value Backend#INSTANCE_HEADER} on every response. It always reads a request's whole body
 * before answering (a backend that answers first leaves the rest of the body on the connection,
 * and the next request on it is garbage). Routes, by path:
 *
 * <ul>
 *   <li>anything else: {@code 200}, content type {@value #ECHO_TYPE}, the body is the request
 *       head as received ({@code METHOD target HTTP/1.1}, then {@code name: value} lines, an
 *       empty line) followed by the request body;
 *   <li>{@code /cookies}: the echo with two {@code Set-Cookie} fields ({@link #COOKIE_A},
 *       {@link #COOKIE_B});
 *   <li>{@code /hop-by-hop}: the echo with hop-by-hop fields a proxy must drop
 *       ({@code Connection: x-backend-hop}, {@code x-backend-hop}, {@code Keep-Alive} with
 *       {@code max=7}, {@code Proxy-Connection}, {@code Upgrade}) and one it must keep
 *       ({@code x-backend-kept});
 *   <li>{@code /status/N}: status N with body {@code status N from <name>};
 *   <li>{@code /stream}: chunked {@code text/event-stream}, {@link #STREAM_EVENTS} events
 *       {@code data: i\n\n} with {@link #STREAM_PAUSE_MILLIS} ms between them, like server-sent
 *       events; {@link #streamsFinished()} counts the streams fully written;
 *   <li>{@code /slow/N}: the echo after N milliseconds (a slow backend);
 *       {@link #mostAtOnce()} is the most requests it had under way at the same moment;
 *   <li>{@code /stall}: {@code Content-Length: }{@link #STALL_LENGTH}, then
 *       {@link #STALL_SENT} bytes of {@code s}, then nothing until the peer closes.
 * </ul>
 *
 * <p>{@link #answerEverythingWith} makes every request answer one status instead (a backend in
 * trouble), with body {@code status N from <name>}.
 */
final class AnsweringBackend extends SocketServer {
  /** The content type of echoes. */
  static final String ECHO_TYPE = "application/x-contract-echo";
  /** The first {@code Set-Cookie} of {@code /cookies}. */
  static final String COOKIE_A = "backend-a=1; Path=/";
  /** The second {@code Set-Cookie} of {@code /cookies}. */
  static final String COOKIE_B = "backend-b=2; HttpOnly";
  /** Events in a {@code /stream}. */
  static final int STREAM_EVENTS = 6;
  /** The pause between two events of a {@code /stream}. */
  static final int STREAM_PAUSE_MILLIS = 300;
  /** The length {@code /stall} announces. */
  static final int STALL_LENGTH = 1000;
  /** The bytes {@code /stall} sends before it stalls. */
  static final int STALL_SENT = 100;

  private final AtomicInteger streamsFinished = new AtomicInteger();
  private final AtomicInteger slowNow = new AtomicInteger();
  private final AtomicInteger slowMost = new AtomicInteger();
  private volatile int forcedStatus;

  private AnsweringBackend(String name) {
    super(name);
  }

  /** Starts one on 127.0.0.1 and an ephemeral port. */
  static AnsweringBackend start(String name) {
    return new AnsweringBackend(name);
  }

  /** From now on every request is answered with {@code status} (0: the routes again). */
  AnsweringBackend answerEverythingWith(int status) {
    forcedStatus = status;
    return this;
  }

  /** How many {@code /stream} responses were written to the end. */
  int streamsFinished() {
    return streamsFinished.get();
  }

  /** The most {@code /slow/N} requests under way at one moment so far. */
  int mostAtOnce() {
    return slowMost.get();
  }

  /** The body of event {@code i} of a {@code /stream}. */
  static String event(int i) {
    return "data: " + i + "\n\n";
  }

  /** The whole body of a {@code /stream}. */
  static String streamBody() {
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < STREAM_EVENTS; i++) {
      all.append(event(i));
    }
    return all.toString();
  }

  /** The body {@code /status/N} (or {@link #answerEverythingWith}) sends. */
  String statusBody(int status) {
    return "status " + status + " from " + name();
  }

  @Override
  void serve(Connection connection) throws IOException {
    for (HttpWire.Head head; (head = connection.nextHead()) != null; ) {
      ReceivedRequest request = connection.receive(head);
      String path = path(request.target());
      OutputStream out = connection.out;
      int forced = forcedStatus;
      if (forced != 0) {
        status(out, forced);
      } else if (path.startsWith("/status/")) {
        status(out, Integer.parseInt(path.substring("/status/".length())));
      } else if (path.startsWith("/slow/")) {
        slowMost.accumulateAndGet(slowNow.incrementAndGet(), Math::max);
        try {
          pause(Long.parseLong(path.substring("/slow/".length())));
        } finally {
          slowNow.decrementAndGet();
        }
        echo(out, request);
      } else if (path.equals("/stream")) {
        stream(out);
      } else if (path.equals("/stall")) {
        stall(connection);
        return;
      } else if (path.equals("/cookies")) {
        echo(out, request, "set-cookie", COOKIE_A, "set-cookie", COOKIE_B);
      } else if (path.equals("/hop-by-hop")) {
        echo(out, request, "connection", "x-backend-hop", "x-backend-hop", "1",
            "keep-alive", "timeout=5, max=7", "proxy-connection", "keep-alive",
            "upgrade", "contract-echo", "x-backend-kept", "1");
      } else {
        echo(out, request);
      }
      connection.idle();
      if (request.fields().lists("connection", "close")) {
        return;
      }
    }
  }

  private void status(OutputStream out, int status) throws IOException {
    HttpWire.writeResponse(out, status, statusBody(status).getBytes(StandardCharsets.UTF_8),
        INSTANCE_HEADER, name(), "content-type", "text/plain");
  }

  private void echo(OutputStream out, ReceivedRequest request, String... extra)
      throws IOException {
    String[] fields = new String[4 + extra.length];
    fields[0] = INSTANCE_HEADER;
    fields[1] = name();
    fields[2] = "content-type";
    fields[3] = ECHO_TYPE;
    System.arraycopy(extra, 0, fields, 4, extra.length);
    HttpWire.writeResponse(out, 200, request.echo(), fields);
  }

  private void stream(OutputStream out) throws IOException {
    out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\n" + INSTANCE_HEADER + ": " + name()
        + "\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"));
    for (int i = 0; i < STREAM_EVENTS; i++) {
      if (i > 0) {
        pause(STREAM_PAUSE_MILLIS);
      }
      byte[] data = event(i).getBytes(StandardCharsets.UTF_8);
      out.write(HttpWire.ascii(Integer.toHexString(data.length) + "\r\n"));
      out.write(data);
      out.write(HttpWire.ascii("\r\n"));
      out.flush();
    }
    out.write(HttpWire.ascii("0\r\n\r\n"));
    out.flush();
    streamsFinished.incrementAndGet();
  }

  private void stall(Connection connection) throws IOException {
    connection.out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\n" + INSTANCE_HEADER + ": " + name()
        + "\r\ncontent-type: application/octet-stream\r\ncontent-length: " + STALL_LENGTH
        + "\r\n\r\n" + "s".repeat(STALL_SENT)));
    connection.out.flush();
    connection.drainUntilPeerCloses();
  }

  /** The backend's own pacing (not a wait for a state): a stream's events are spaced in time. */
  private static void pause(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("stream interrupted");
    }
  }

  private static String path(String target) {
    int query = target.indexOf('?');
    return query < 0 ? target : target.substring(0, query);
  }
}
