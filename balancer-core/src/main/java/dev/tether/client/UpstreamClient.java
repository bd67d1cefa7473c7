package dev.tether.client;

import static dev.tether.core.internal.Tokens.isToken;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A small blocking HTTP/1.1 client for the proxy -> backend leg, used by the Tomcat valve (the
 * Jetty module forwards on Jetty's own proxy and client). Not public API: it is shaded into the
 * valve's jar with the core. It moves bytes only: what to send, how long to wait and what to do
 * with a failure are the proxy exchange's ({@code dev.tether.api.Exchange}).
 *
 * <p>Why not a general-purpose client: a Tomcat thread that already owns its client request can
 * write the backend request and read the answer on the same thread, through buffers that belong to
 * a pooled connection. Profiles of the valve on the JDK client put a third of the valve's CPU in
 * the client machinery (selector thread, executor, reactive body plumbing, per-request buffers
 * and header maps); the work that has to be done is two system calls and a head to parse.
 *
 * <p>Connections are kept per backend ({@code host:port}) and reused most-recently-used first,
 * since the warmest connection is the least likely to have been closed by the backend. A pooled
 * connection can still turn out to be closed when used. Before a request with a body goes on
 * one, the connection is probed without blocking, since a body cannot be sent twice; a request
 * without a body is not probed, and if it fails on a pooled connection before any response byte
 * it is sent again on another connection (as browsers and most clients do), which is safe because
 * the backend did not answer it.
 *
 * <p>A request marked {@link UpstreamRequest#upgrade()} may be answered {@code 101 Switching
 * Protocols}: the response is handed back as it is, and its connection, with any bytes read past
 * the head, is the caller's to {@link UpstreamResponse#takeOver() take over}; it never returns to
 * the pool. A 101 to any other request is a protocol error, since the backend would then speak a
 * protocol nobody asked for on a connection the pool would reuse.
 */
public final class UpstreamClient implements AutoCloseable {
  private final UpstreamOptions options;
  private final LongSupplier nanoClock;
  private final Map<Backend, Pool> pools = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep;
  private final AtomicInteger opened = new AtomicInteger();
  private volatile boolean closed;

  public UpstreamClient(UpstreamOptions options) {
    this(options, System::nanoTime);
  }

  UpstreamClient(UpstreamOptions options, LongSupplier nanoClock) {
    this.options = options;
    this.nanoClock = nanoClock;
    this.lastSweep = new AtomicLong(nanoClock.getAsLong());
  }

  /** Connections opened so far: for metrics and for tests that check reuse. */
  public int connectionsOpened() {
    return opened.get();
  }

  /**
   * Sends {@code request} to {@code host:port} and reads the response head. The caller must close
   * the response.
   *
   * @param headTimeout called once the request (head and body) has been written, the first time
   *     it is: how long to wait for the response head, in nanoseconds, 0 for no limit. Asked then
   *     and not before, because the proxy's request timeout counts from the moment the request
   *     has been sent (an upload does not use it up)
   * @throws UpstreamException of kind CONNECT (nothing sent), TIMEOUT, RESET, PROTOCOL or
   *     REQUEST_BODY
   */
  public UpstreamResponse send(String host, int port, UpstreamRequest request,
      LongSupplier headTimeout) throws UpstreamException {
    if (closed) {
      throw new UpstreamException(UpstreamException.Kind.CONNECT, "client closed");
    }
    Backend backend = new Backend(host, port);
    boolean hasBody = request.length() != 0;
    long headDeadline = 0;
    boolean headDeadlineSet = false;
    while (true) {
      Connection connection = borrow(backend);
      boolean pooled = connection != null;
      if (pooled && hasBody && connection.closedByPeer()) {
        connection.close();
        continue;
      }
      if (!pooled) {
        connection = connect(backend);
      }
      try {
        connection.received = 0;
        connection.requests++;
        write(connection, request);
        if (!headDeadlineSet) {
          // Asked once: a request sent again on a fresh connection below (a stale pooled one)
          // is the same attempt, with the same wait.
          long wait = headTimeout.getAsLong();
          headDeadline = wait <= 0 ? 0 : nanoClock.getAsLong() + wait;
          headDeadlineSet = true;
        }
        return readHead(connection, request, headDeadline);
      } catch (IllegalArgumentException badTarget) {
        connection.close();
        throw badTarget;
      } catch (UpstreamException e) {
        connection.close();
        boolean stale = pooled && e.kind() == UpstreamException.Kind.RESET
            && connection.received == 0 && !request.bodyTouched();
        if (!stale) {
          throw e;
        }
        // The backend had closed this idle connection: try the next one, or a new one. A
        // request with a body was probed before it, so this is the narrow race of a close
        // arriving after the probe, or a body-less request, which was never probed.
      }
    }
  }

  // ------------------------------------------------------------------------------ pool

  private static final class Pool {
    final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    final AtomicInteger size = new AtomicInteger();
  }

  private Connection borrow(Backend backend) {
    Pool pool = pools.get(backend);
    if (pool == null) {
      return null;
    }
    long now = nanoClock.getAsLong();
    long idleNanos = options.poolIdleTimeout().toNanos();
    for (Connection c = pool.idle.pollFirst(); c != null; c = pool.idle.pollFirst()) {
      pool.size.decrementAndGet();
      if (now - c.idleSince < idleNanos) {
        return c;
      }
      c.close();
    }
    return null;
  }

  void release(Connection connection) {
    long now = nanoClock.getAsLong();
    long perConnection = options.maxRequestsPerConnection();
    if (closed || options.poolIdleTimeout().isZero()
        || perConnection > 0 && connection.requests >= perConnection) {
      connection.close();
      return;
    }
    Pool pool = pools.computeIfAbsent(connection.backend, b -> new Pool());
    if (pool.size.incrementAndGet() > options.maxIdlePerBackend()) {
      pool.size.decrementAndGet();
      connection.close();
    } else {
      connection.idleSince = now;
      pool.idle.offerFirst(connection);
      if (closed) {
        close(); // raced with close(): do not leave this one open
      }
    }
    sweepIfDue(now);
  }

  /**
   * Closes connections idle for longer than the idle timeout, at most twice per timeout and on
   * the thread of a request that just ended, so that a backend that left the endpoint list does
   * not keep sockets open here.
   */
  private void sweepIfDue(long now) {
    long idleNanos = options.poolIdleTimeout().toNanos();
    long last = lastSweep.get();
    if (now - last < idleNanos / 2 || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    for (Pool pool : pools.values()) {
      for (Connection c : pool.idle) {
        if (now - c.idleSince >= idleNanos && pool.idle.remove(c)) {
          pool.size.decrementAndGet();
          c.close();
        }
      }
    }
  }

  /** Closes every idle connection; exchanges in progress finish, then close theirs. */
  @Override
  public void close() {
    closed = true;
    for (Pool pool : pools.values()) {
      for (Connection c = pool.idle.pollFirst(); c != null; c = pool.idle.pollFirst()) {
        pool.size.decrementAndGet();
        c.close();
      }
    }
  }

  private Connection connect(Backend backend) throws UpstreamException {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open();
      Socket socket = channel.socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(backend.host(), backend.port()),
          UpstreamOptions.millis(options.connectTimeout()));
      opened.incrementAndGet();
      return new Connection(backend, channel);
    } catch (IOException | RuntimeException e) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // Never connected.
      }
      throw new UpstreamException(UpstreamException.Kind.CONNECT,
          backend.authority() + ": " + e, e);
    }
  }

  // ------------------------------------------------------------------------------ request

  private void write(Connection c, UpstreamRequest request) throws UpstreamException {
    try {
      c.writeLength = 0;
      c.put(request.method());
      c.put((byte) ' ');
      putTarget(c, request.target());
      c.put(" HTTP/1.1\r\n");
      boolean host = false;
      List<String> fields = request.fields();
      for (int i = 0; i < fields.size(); i += 2) {
        String name = fields.get(i);
        String value = fields.get(i + 1);
        if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")
            || !isToken(name) || !isFieldValue(value)) {
          continue;
        }
        host |= name.equalsIgnoreCase("host");
        c.put(name);
        c.put(": ");
        c.put(value);
        c.crlf();
      }
      if (!host) {
        c.put("Host: ");
        c.put(c.backend.authority());
        c.crlf();
      }
      long length = request.length();
      if (length > 0) {
        c.put("Content-Length: ");
        c.put(Long.toString(length));
        c.crlf();
      } else if (length < 0) {
        c.put("Transfer-Encoding: chunked\r\n");
      } else if (expectsBody(request.method())) {
        c.put("Content-Length: 0\r\n");
      }
      c.crlf();
    } catch (IOException e) {
      throw new UpstreamException(UpstreamException.Kind.RESET,
          c.backend.authority() + ": sending the request head failed: " + e, e);
    }
    if (request.length() > 0) {
      writeBody(c, request);
    } else if (request.length() < 0) {
      writeChunkedBody(c, request);
    }
    try {
      c.flush();
    } catch (IOException e) {
      throw new UpstreamException(UpstreamException.Kind.RESET,
          c.backend.authority() + ": sending the request failed: " + e, e);
    }
  }

  private static boolean expectsBody(String method) {
    return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
  }

  /**
   * Writes the target as it came, except bytes HTTP does not allow there: controls and spaces are
   * refused (they would split the request line), anything beyond ASCII is percent-encoded as
   * UTF-8.
   */
  private static void putTarget(Connection c, String target) throws IOException {
    if (target.isEmpty()) {
      c.put((byte) '/');
      return;
    }
    for (int i = 0, n = target.length(); i < n; i++) {
      char ch = target.charAt(i);
      if (ch > 0x20 && ch < 0x7f) {
        c.put((byte) ch);
      } else if (ch <= 0x20 || ch == 0x7f) {
        throw new IllegalArgumentException("request target with a control character or space");
      } else {
        int end = Character.isHighSurrogate(ch) && i + 1 < n ? i + 2 : i + 1;
        for (byte b : target.substring(i, end).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
          c.put((byte) '%');
          c.put((byte) Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)));
          c.put((byte) Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
        }
        i = end - 1;
      }
    }
  }

  /** No CR, LF or NUL: a value that could end the field early is dropped, never sent. */
  private static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return false;
      }
    }
    return true;
  }

  private static void writeBody(Connection c, UpstreamRequest request) throws UpstreamException {
    InputStream body = request.body();
    long left = request.length();
    while (left > 0) {
      if (c.writeLength == c.write.length) {
        flushBody(c);
      }
      int n = readBody(c, request, body,
          (int) Math.min(c.write.length - c.writeLength, left));
      if (n < 0) {
        throw new UpstreamException(UpstreamException.Kind.REQUEST_BODY,
            "the client's body ended " + left + " bytes short of its Content-Length");
      }
      c.writeLength += n;
      left -= n;
    }
  }

  private static void writeChunkedBody(Connection c, UpstreamRequest request)
      throws UpstreamException {
    InputStream body = request.body();
    // Room for the size line before and the CRLF after each chunk's data.
    int reserve = 12;
    while (true) {
      if (c.write.length - c.writeLength < reserve + 64) {
        flushBody(c);
      }
      int sizeAt = c.writeLength;
      int dataAt = sizeAt + 10;
      c.writeLength = dataAt;
      int n = readBody(c, request, body, c.write.length - dataAt - 2);
      if (n <= 0) {
        c.writeLength = sizeAt;
        break;
      }
      // Size line right before the data: 8 hex digits, CRLF.
      String hex = String.format("%08x", n);
      for (int i = 0; i < 8; i++) {
        c.write[sizeAt + i] = (byte) hex.charAt(i);
      }
      c.write[sizeAt + 8] = '\r';
      c.write[sizeAt + 9] = '\n';
      c.writeLength = dataAt + n;
      c.write[c.writeLength++] = '\r';
      c.write[c.writeLength++] = '\n';
    }
    try {
      c.put("0\r\n\r\n");
    } catch (IOException e) {
      throw new UpstreamException(UpstreamException.Kind.RESET,
          c.backend.authority() + ": sending the request body failed: " + e, e);
    }
  }

  /** Reads client body bytes into the connection's write buffer at its current length. */
  private static int readBody(Connection c, UpstreamRequest request, InputStream body, int max)
      throws UpstreamException {
    request.touchBody();
    try {
      return body.read(c.write, c.writeLength, max);
    } catch (IOException e) {
      throw new UpstreamException(UpstreamException.Kind.REQUEST_BODY,
          "reading the client's body failed: " + e, e);
    }
  }

  private static void flushBody(Connection c) throws UpstreamException {
    try {
      c.flush();
    } catch (IOException e) {
      throw new UpstreamException(UpstreamException.Kind.RESET,
          c.backend.authority() + ": sending the request body failed: " + e, e);
    }
  }

  // ------------------------------------------------------------------------------ response

  /** @param deadline when the head must have arrived (a {@link #nanoClock} time), 0 for never */
  private UpstreamResponse readHead(Connection c, UpstreamRequest request, long deadline)
      throws UpstreamException {
    c.readPosition = 0;
    c.readLimit = 0;
    while (true) {
      String statusLine = line(c, deadline);
      int status = status(c, statusLine);
      List<String> fields = new ArrayList<>(24);
      for (String line = line(c, deadline); !line.isEmpty(); line = line(c, deadline)) {
        field(c, line, fields);
      }
      if (status >= 100 && status < 200) {
        if (status == 101) {
          if (!request.isUpgrade()) {
            throw protocol(c, "101 Switching Protocols to a request that asked for no upgrade");
          }
          // The connection now speaks another protocol: the caller takes it over, and it never
          // returns to the pool.
          return new UpstreamResponse(this, c, status, reason(statusLine), fields,
              UpstreamResponse.Framing.SWITCHED, 0, false);
        }
        continue; // 100 Continue, 103 Early Hints: the final response follows.
      }
      return response(c, request, statusLine, status, fields);
    }
  }

  private UpstreamResponse response(Connection c, UpstreamRequest request, String statusLine,
      int status, List<String> fields) throws UpstreamException {
    boolean http10 = statusLine.startsWith("HTTP/1.0");
    boolean keepAlive = !http10;
    String transferEncoding = null;
    long contentLength = -1;
    for (int i = 0; i < fields.size(); i += 2) {
      String name = fields.get(i);
      String value = fields.get(i + 1);
      if (name.equalsIgnoreCase("connection")) {
        for (String token : value.split(",")) {
          String t = token.trim();
          if (t.equalsIgnoreCase("close")) {
            keepAlive = false;
          } else if (t.equalsIgnoreCase("keep-alive") && http10) {
            keepAlive = true;
          }
        }
      } else if (name.equalsIgnoreCase("transfer-encoding")) {
        transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
      } else if (name.equalsIgnoreCase("content-length")) {
        long parsed = contentLength(c, value);
        if (contentLength >= 0 && parsed != contentLength) {
          throw protocol(c, "Content-Length values " + contentLength + " and " + parsed);
        }
        contentLength = parsed;
      }
    }
    UpstreamResponse.Framing framing;
    if (request.method().equals("HEAD") || status == 204 || status == 304) {
      framing = UpstreamResponse.Framing.NONE;
    } else if (transferEncoding != null) {
      String[] codings = transferEncoding.split(",");
      boolean chunked = codings[codings.length - 1].trim().equalsIgnoreCase("chunked");
      framing = chunked ? UpstreamResponse.Framing.CHUNKED : UpstreamResponse.Framing.UNTIL_CLOSE;
      // Both framings at once is how responses are smuggled: never reuse such a connection.
      keepAlive &= contentLength < 0;
    } else if (contentLength >= 0) {
      framing = UpstreamResponse.Framing.LENGTH;
    } else {
      framing = UpstreamResponse.Framing.UNTIL_CLOSE;
    }
    try {
      c.socket.setSoTimeout(UpstreamOptions.millis(options.bodyTimeout()));
    } catch (IOException e) {
      throw reset(c, e);
    }
    return new UpstreamResponse(this, c, status, reason(statusLine), fields, framing,
        Math.max(contentLength, 0), keepAlive);
  }

  private static String reason(String statusLine) {
    return statusLine.length() > 13 ? statusLine.substring(13) : "";
  }

  private String line(Connection c, long deadline) throws UpstreamException {
    while (true) {
      String line = c.pollLine();
      if (line != null) {
        return line;
      }
      int soTimeout = 0;
      if (deadline != 0) {
        long left = deadline - nanoClock.getAsLong();
        if (left <= 0) {
          throw timeout(c, null);
        }
        soTimeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
      }
      int n;
      try {
        c.socket.setSoTimeout(soTimeout);
        n = c.fill();
      } catch (SocketTimeoutException e) {
        throw timeout(c, e);
      } catch (UpstreamException e) {
        throw e;
      } catch (IOException e) {
        throw reset(c, e);
      }
      if (n < 0) {
        throw new UpstreamException(UpstreamException.Kind.RESET, c.backend.authority()
            + ": the backend closed the connection before a complete response head");
      }
    }
  }

  private static int status(Connection c, String line) throws UpstreamException {
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' '
        || line.length() > 12 && line.charAt(12) != ' ') {
      throw protocol(c, "a status line of '" + abbreviate(line) + "'");
    }
    int status = 0;
    for (int i = 9; i < 12; i++) {
      char d = line.charAt(i);
      if (d < '0' || d > '9') {
        throw protocol(c, "a status line of '" + abbreviate(line) + "'");
      }
      status = status * 10 + d - '0';
    }
    if (status < 100) {
      throw protocol(c, "status " + status);
    }
    return status;
  }

  private static void field(Connection c, String line, List<String> fields)
      throws UpstreamException {
    int colon = line.indexOf(':');
    if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t'
        || !isToken(line.substring(0, colon))) {
      // Includes obsolete line folding and whitespace before the colon (RFC 9112 section 5).
      throw protocol(c, "a header line of '" + abbreviate(line) + "'");
    }
    if (fields.size() >= 2 * 256) {
      throw protocol(c, "more than 256 header fields");
    }
    fields.add(line.substring(0, colon));
    fields.add(line.substring(colon + 1).strip());
  }

  private static long contentLength(Connection c, String value) throws UpstreamException {
    String v = value.trim();
    if (v.isEmpty() || v.length() > 18) {
      throw protocol(c, "Content-Length '" + abbreviate(value) + "'");
    }
    long length = 0;
    for (int i = 0; i < v.length(); i++) {
      char d = v.charAt(i);
      if (d < '0' || d > '9') {
        throw protocol(c, "Content-Length '" + abbreviate(value) + "'");
      }
      length = length * 10 + d - '0';
    }
    return length;
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }

  private static UpstreamException protocol(Connection c, String what) {
    return new UpstreamException(UpstreamException.Kind.PROTOCOL,
        c.backend.authority() + ": the backend answered with " + what);
  }

  private static UpstreamException reset(Connection c, IOException cause) {
    return new UpstreamException(UpstreamException.Kind.RESET,
        c.backend.authority() + ": " + cause, cause);
  }

  private static UpstreamException timeout(Connection c, IOException cause) {
    return new UpstreamException(UpstreamException.Kind.TIMEOUT, c.backend.authority()
        + ": no response head within the head timeout", cause);
  }
}
