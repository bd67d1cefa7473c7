package dev.tether.jetty;

import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One attempt of an {@link UpgradeCall}: the connection on the backend's endpoint from the connect
 * to the response head, and for a non-101 answer to the end of its body. It writes the request
 * head with Jetty's {@link HttpGenerator} (method and target as received, the exchange's fields),
 * waits for the head at most what {@link Exchange#requestSent()} allows, parses it with Jetty's
 * {@link HttpParser} and asks the exchange: TUNNEL hands over to the call (the bytes the backend
 * sent after its head go to the tunnel through {@link #onUpgradeFrom}); RELAY streams the body into
 * the client response, one parsed chunk per write, the next read only once the write is done.
 *
 * <p>The attempt ends once ({@link #fail} or the end of a relayed body): the head timer, the
 * parser, an idle endpoint and the client's failure listener may race, and the first wins.
 */
final class UpgradeAttempt extends AbstractConnection
    implements Connection.UpgradeFrom, HttpParser.ResponseHandler {
  private static final int BUFFER_SIZE = 16 * 1024;
  private static final int MAX_HEAD_SIZE = 64 * 1024;

  /** DECIDING: the head arrived and the exchange is being asked; nothing else may end it. */
  private enum Phase { HEAD, DECIDING, RELAYING, TUNNEL, DONE }

  private final UpgradeCall call;
  private final Exchange exchange;
  private final HttpParser parser;
  private RetainableByteBuffer buffer;
  private boolean eof;
  private int status;
  private HttpFields.Mutable serverFields;
  private boolean interim;
  private Phase phase = Phase.HEAD;
  private Scheduler.Task headTimer;
  /** The body chunk being written to the client, if any; guarded by this connection's lock. */
  private final ChunkInFlight chunk = new ChunkInFlight();
  /** The parse loop is running: the buffer is in use. */
  private boolean parsing;

  UpgradeAttempt(UpgradeCall call, EndPoint endPoint) {
    super(endPoint, call.relay.connector.getExecutor());
    this.call = call;
    this.exchange = call.exchange;
    this.parser = new HttpParser(this, MAX_HEAD_SIZE);
    if (HttpMethod.HEAD.is(call.clientRequest.getMethod())) {
      parser.setHeadResponse(true);
    }
  }

  Executor executor() {
    return getExecutor();
  }

  @Override
  public void onOpen() {
    super.onOpen();
    RetainableByteBuffer head;
    try {
      head = requestHead();
    } catch (IOException | RuntimeException e) {
      fail(Failure.PROTOCOL, e);
      return;
    }
    getEndPoint().write(Callback.from(() -> {
      head.release();
      headSent();
    }, failure -> {
      head.release();
      fail(Failure.RESET, failure);
    }), head.getByteBuffer());
  }

  /** The request line as received and the exchange's fields; an upgrade has no body. */
  private RetainableByteBuffer requestHead() throws IOException {
    HttpFields.Mutable fields = HttpFields.build();
    exchange.requestHeaders(new FieldSink(fields));
    MetaData.Request head = new MetaData.Request(call.clientRequest.getMethod(),
        HttpURI.build().pathQuery(Targets.pathAndQuery(call.clientRequest)),
        HttpVersion.HTTP_1_1, fields, 0);
    for (int size = 4096; ; size *= 2) {
      RetainableByteBuffer header = Buffers.acquire(call.relay.pool(), size, true);
      HttpGenerator.Result result = new HttpGenerator()
          .generateRequest(head, header.getByteBuffer(), null, null, true);
      if (result == HttpGenerator.Result.FLUSH) {
        return header;
      }
      header.release();
      if (result != HttpGenerator.Result.HEADER_OVERFLOW || size >= MAX_HEAD_SIZE) {
        throw new IOException("cannot generate the request head: " + result);
      }
    }
  }

  private void headSent() {
    long wait = exchange.requestSent();
    synchronized (this) {
      if (phase != Phase.HEAD) {
        return;
      }
      if (wait > 0) {
        headTimer = call.relay.scheduler().schedule(this::headTimedOut, wait, TimeUnit.NANOSECONDS);
      }
    }
    fillInterested();
  }

  private void headTimedOut() {
    fail(Failure.TIMEOUT, Failures.HeadTimeout.INSTANCE);
  }

  @Override
  public void onFillable() {
    parse();
  }

  /**
   * Parses what was read, then reads more, until the parser or a pending write stops it or
   * nothing is left to read. The parser runs first: after a body chunk's write it may have the
   * end of the message to report without a further byte.
   */
  private void parse() {
    synchronized (this) {
      parsing = true;
    }
    try {
      parseLoop();
    } finally {
      synchronized (this) {
        parsing = false;
      }
      releaseIfIdle();
    }
  }

  private void parseLoop() {
    while (true) {
      if (isDone()) {
        return;
      }
      if (buffer == null) {
        buffer = Buffers.acquire(call.relay.pool(), BUFFER_SIZE, true);
      }
      ByteBuffer bytes = buffer.getByteBuffer();
      boolean stopped = parser.parseNext(bytes);
      if (interimDone()) {
        continue;
      }
      if (stopped) {
        if (resumeAfterWrite()) {
          continue;
        }
        return; // a tunnel, an ended attempt, or a body chunk waiting on its write
      }
      if (bytes.hasRemaining()) {
        continue;
      }
      if (eof) {
        return; // the parser reported the end (earlyEOF or messageComplete)
      }
      int filled;
      try {
        filled = getEndPoint().fill(bytes);
      } catch (IOException e) {
        fail(failureNow(Failure.RESET), e);
        return;
      }
      if (filled == 0) {
        release(); // empty: a quiet backend holds no buffer
        fillInterested();
        return;
      }
      if (filled < 0) {
        eof = true;
        parser.atEOF();
      }
    }
  }

  private synchronized boolean isDone() {
    return phase != Phase.HEAD && phase != Phase.RELAYING;
  }

  /** Whether an interim 1xx response just ended: parse the final one that follows. */
  private boolean interimDone() {
    if (!interim || serverFields != null) {
      return false;
    }
    interim = false;
    parser.reset();
    return true;
  }

  /**
   * After the parser stopped at a body chunk: true to go on at once (its write already
   * completed), false to leave the loop (the write's callback then resumes parsing).
   */
  private synchronized boolean resumeAfterWrite() {
    return phase == Phase.RELAYING && chunk.resumeNow();
  }

  private void chunkWritten() {
    boolean resume;
    synchronized (this) {
      resume = chunk.completed();
    }
    if (resume) {
      parse();
    }
  }

  private void chunkFailed(Throwable failure) {
    synchronized (this) {
      chunk.failed();
    }
    fail(Failure.CANCELLED, new Failures.ClientGone(failure));
    releaseIfIdle();
  }

  // --- HttpParser.ResponseHandler ------------------------------------------------------------

  @Override
  public void startResponse(HttpVersion version, int status, String reason) {
    this.status = status;
    this.serverFields = HttpFields.build();
  }

  @Override
  public void parsedHeader(HttpField field) {
    serverFields.add(field);
  }

  @Override
  public boolean headerComplete() {
    if (status >= 100 && status < 200 && status != 101) {
      interim = true; // 100 Continue, 102, 103: not the answer; messageComplete follows
      serverFields = null;
      return false;
    }
    Scheduler.Task timer;
    synchronized (this) {
      if (phase != Phase.HEAD) {
        return true;
      }
      phase = Phase.DECIDING;
      timer = headTimer;
      headTimer = null;
    }
    if (timer != null) {
      timer.cancel();
    }
    Step step = exchange.responded(status);
    switch (step) {
      case TUNNEL -> {
        synchronized (this) {
          phase = Phase.TUNNEL;
        }
        call.tunnel(this, serverFields);
        return true;
      }
      case RELAY -> {
        synchronized (this) {
          phase = Phase.RELAYING;
        }
        call.clientResponse.setStatus(status);
        exchange.responseHeaders(new JettyFields(serverFields),
            new ClientResponseFields(call.clientResponse.getHeaders()));
        return false;
      }
      default -> {
        // A retried status, or an answer nobody may see: drop it.
        synchronized (this) {
          phase = Phase.DONE;
        }
        getEndPoint().close();
        call.next(step, null);
        return true;
      }
    }
  }

  @Override
  public boolean content(ByteBuffer item) {
    synchronized (this) {
      if (phase != Phase.RELAYING) {
        return true;
      }
      chunk.started();
    }
    call.clientResponse.write(false, item, Callback.from(this::chunkWritten, this::chunkFailed));
    return true;
  }

  @Override
  public boolean contentComplete() {
    return false;
  }

  @Override
  public boolean messageComplete() {
    if (interim) {
      serverFields = null;
      return true;
    }
    if (!end()) {
      return true;
    }
    getEndPoint().close();
    call.clientResponse.write(true, null, Callback.from(() -> {
      exchange.completed();
      call.callback.succeeded();
    }, failure -> {
      exchange.failed(Failure.CANCELLED);
      call.callback.failed(failure);
    }));
    return true;
  }

  @Override
  public void earlyEOF() {
    fail(failureNow(Failure.RESET), new EOFException("backend closed " + getEndPoint()));
  }

  @Override
  public void badMessage(HttpException failure) {
    fail(failureNow(Failure.PROTOCOL), (Throwable) failure);
  }

  // --- endpoint events -----------------------------------------------------------------------

  @Override
  public boolean onIdleExpired(TimeoutException timeout) {
    synchronized (this) {
      if (phase != Phase.HEAD && phase != Phase.RELAYING) {
        return false;
      }
    }
    // An idle backend before its head is a timeout (Envoy's per-try idea); after, an idle body.
    fail(failureNow(Failure.TIMEOUT), timeout);
    return false;
  }

  @Override
  public void onClose(Throwable cause) {
    super.onClose(cause);
    // Also called when the tunnel takes the endpoint over: then the attempt is over already.
    fail(failureNow(Failure.RESET), cause != null ? cause : new EOFException("closed"));
    synchronized (this) {
      if (parsing || chunk.pending()) {
        return; // the parse loop or the write's callback gives it back
      }
    }
    // Over, or a tunnel that took its bytes already (or never will: its 101 was not sent).
    release();
  }

  @Override
  public ByteBuffer onUpgradeFrom() {
    RetainableByteBuffer held = buffer;
    buffer = null;
    if (held == null) {
      return null;
    }
    ByteBuffer left = held.getByteBuffer();
    ByteBuffer copy = null;
    if (left.hasRemaining()) {
      copy = ByteBuffer.allocateDirect(left.remaining());
      copy.put(left).flip();
    }
    held.release();
    return copy;
  }

  /**
   * Ends the attempt with {@code failure} unless it ended already: before anything was relayed,
   * the exchange decides (retry, reply, close); after, the client's response is cut.
   */
  void fail(Failure failure, Throwable cause) {
    boolean relaying;
    synchronized (this) {
      relaying = phase == Phase.RELAYING;
    }
    if (!end()) {
      return;
    }
    getEndPoint().close(cause);
    Step step = exchange.failed(failure);
    if (relaying) {
      LocalReplies.cut(call.clientResponse, call.callback, cause);
    } else {
      call.next(step, cause);
    }
  }

  /** The failure class for a broken connection now: {@code beforeHead}, or one of the body's. */
  private synchronized Failure failureNow(Failure beforeHead) {
    if (phase != Phase.RELAYING) {
      return beforeHead;
    }
    return beforeHead == Failure.TIMEOUT ? Failure.IDLE_TIMEOUT : Failure.RESET_DURING_BODY;
  }

  /**
   * Claims the end of the attempt; false when it ended already, became a tunnel, or its head is
   * being decided on.
   */
  private boolean end() {
    Scheduler.Task timer;
    synchronized (this) {
      if (phase != Phase.HEAD && phase != Phase.RELAYING) {
        return false;
      }
      phase = Phase.DONE;
      timer = headTimer;
      headTimer = null;
    }
    if (timer != null) {
      timer.cancel();
    }
    return true;
  }

  /**
   * Gives the buffer back once the attempt is over and nothing uses it: not while the parse loop
   * runs, nor while a chunk of it is being written to the client; a tunnel's is handed over.
   */
  private void releaseIfIdle() {
    synchronized (this) {
      if (parsing || chunk.pending() || phase != Phase.DONE) {
        return;
      }
    }
    release();
  }

  private void release() {
    RetainableByteBuffer held = buffer;
    buffer = null;
    if (held != null) {
      held.release();
    }
  }
}
