package dev.tether.jetty;

import dev.tether.api.Endpoint;
import dev.tether.api.Exchange.Step;
import dev.tether.api.Failure;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP/1.1 connection of the {@link BackendPool} to a backend, carrying one
 * {@link ForwardCall} attempt at a time: its {@link RequestWriter} sends the request, Jetty's
 * {@link HttpParser} parses the response (only the head becomes fields; the body is framed by the
 * parser and handed on as slices of the read buffer), and each body slice is written to the client
 * before the next read, so the client's pace holds back the backend and no body is buffered whole.
 *
 * <p>At the response head the exchange decides: RELAY writes the status and its fields and streams
 * the body; anything else drops the response with the connection. A response that ended cleanly
 * (framed by length or chunks, the request fully sent, no {@code Connection: close}, nothing more
 * in the buffer) gives the connection back to the pool; anything else closes it: an error, a
 * timeout, a dropped head, a close-delimited body, a backend that said close.
 *
 * <p>While idle in the pool the connection waits for a read: a backend closing it (or sending
 * anything unasked) takes it out of the pool and closes it. An attempt ends once: the head timer,
 * the parser, the writer, an idle endpoint and the client's failure listener may race, and the
 * first to claim the end wins.
 */
final class BackendConnection extends AbstractConnection
    implements HttpParser.ResponseHandler, CyclicTimeouts.Expirable {
  private static final int BUFFER_SIZE = 16 * 1024;
  private static final int MAX_HEAD_SIZE = 64 * 1024;

  /**
   * IDLE: in the pool. HEAD: an attempt waits for its response head. DECIDING: the exchange is
   * being asked about it; nothing else may end it. RELAYING: its body is being relayed. ENDED: its
   * response ended, the connection not yet back in the pool. CLOSED: nothing more.
   */
  private enum Phase { IDLE, HEAD, DECIDING, RELAYING, ENDED, CLOSED }

  /** The endpoint's {@code ip:port}: the pool's key. */
  final String address;
  private final BackendPool pool;
  private final HttpParser parser;
  private Phase phase = Phase.HEAD;
  /** Requests this connection was given, the current one included. */
  private int served;
  private ForwardCall call;
  private boolean reused;
  /** A byte of the current attempt's response was read. */
  private boolean received;
  private boolean requestDone;
  private boolean persistent;
  /** The response ended and the connection may carry another request once the loop returns. */
  private boolean recycle;
  /** The response ended before the request was written whole: pool it once it is. */
  private boolean awaitingRequest;
  /** The attempt whose response just ended, to be finished once the parse loop returns. */
  private ForwardCall finished;
  /** Body bytes of the current response relayed so far. */
  private long contentSeen;
  /** The body's last bytes (a slice of the buffer), written with the end of the response. */
  private ByteBuffer lastContent;
  private int status;
  private HttpFields.Mutable serverFields;
  private boolean interim;
  /**
   * When the current attempt's response head is due ({@link System#nanoTime}), or
   * {@link Long#MAX_VALUE} while no head is awaited: read by the pool's {@link HeadTimeouts}.
   */
  private volatile long headDeadline = Long.MAX_VALUE;
  private RetainableByteBuffer buffer;
  private boolean eof;
  /** The body chunk being written to the client, if any; guarded by this connection's lock. */
  private final ChunkInFlight chunk = new ChunkInFlight();
  /** The parse loop is running: the buffer is in use. */
  private boolean parsing;

  private final Callback fillable = new Callback() {
    @Override
    public void succeeded() {
      onFillable();
    }

    @Override
    public void failed(Throwable failure) {
      readFailed(failure);
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }
  };

  BackendConnection(BackendPool pool, Endpoint endpoint, EndPoint endPoint, ForwardCall first) {
    super(endPoint, pool.executor());
    this.pool = pool;
    this.address = endpoint.address();
    this.parser = new HttpParser(this, MAX_HEAD_SIZE);
    this.call = first;
  }

  @Override
  public void onOpen() {
    super.onOpen();
    ForwardCall first;
    synchronized (this) {
      first = call;
      begin(first, false);
    }
    start(first);
    // A pooled connection keeps this read interest while idle (see toPool).
    readInterest();
  }

  /**
   * Takes this idle connection out of the pool for {@code attempt}; false when it is closing.
   * {@link #start} follows.
   */
  synchronized boolean claim(ForwardCall attempt) {
    if (phase != Phase.IDLE) {
      return false;
    }
    phase = Phase.HEAD;
    begin(attempt, true);
    return true;
  }

  /** The per-attempt state, set under the lock before any event of the attempt can run. */
  private void begin(ForwardCall attempt, boolean pooled) {
    call = attempt;
    reused = pooled;
    received = false;
    requestDone = false;
    persistent = true;
    recycle = false;
    awaitingRequest = false;
    contentSeen = 0;
    lastContent = null;
    status = 0;
    serverFields = null;
    interim = false;
    eof = false;
    served++;
    parser.reset();
    parser.setHeadResponse(HttpMethod.HEAD.is(attempt.clientRequest.getMethod()));
  }

  /** Sends {@code attempt}'s request, on a new connection or one just {@link #claim}ed. */
  void start(ForwardCall attempt) {
    EndPoint endPoint = getEndPoint();
    // Jetty checks the idleness at once when an idle timeout shrinks, against the last I/O: a
    // connection that waited in the pool (http.idleTimeout, 1 h) longer than the attempt's
    // timeout (idleTimeout) would time the attempt out before its first byte. Taking it out of
    // the pool is activity.
    if (endPoint instanceof IdleTimeout idleness) {
      idleness.notIdle();
    }
    endPoint.setIdleTimeout(attempt.idleMillis);
    synchronized (this) {
      if (attempt != call || phase != Phase.HEAD) {
        return; // ended meanwhile (closed under it): the call has moved on
      }
    }
    attempt.attach(this);
    RequestWriter writer;
    try {
      writer = new RequestWriter(this, attempt, pool.buffers());
    } catch (RuntimeException e) {
      fail(attempt, Failure.PROTOCOL, e);
      return;
    }
    writer.start();
  }

  /** {@code attempt}'s request went out whole: wait at most what the exchange allows for the head. */
  void requestWritten(ForwardCall attempt) {
    boolean pool;
    synchronized (this) {
      if (attempt != call) {
        return;
      }
      requestDone = true;
      pool = phase == Phase.ENDED && awaitingRequest;
      if (pool) {
        awaitingRequest = false;
        if (parsing) {
          recycle = true; // the parse loop is still returning: it pools the connection
          return;
        }
      } else if (phase != Phase.HEAD) {
        return;
      }
    }
    if (pool) {
      toPool();
      return;
    }
    armHeadTimer(attempt);
  }

  private void armHeadTimer(ForwardCall attempt) {
    long wait = attempt.exchange.requestSent();
    if (wait <= 0) {
      return;
    }
    synchronized (this) {
      if (attempt != call || phase != Phase.HEAD) {
        return;
      }
      headDeadline = System.nanoTime() + wait;
    }
    pool.headTimeouts().awaitHead(this);
  }

  @Override
  public long getExpireNanoTime() {
    return headDeadline;
  }

  /** The head timer ran out (see {@link HeadTimeouts}): the attempt fails with a timeout. */
  void headTimedOut() {
    ForwardCall attempt;
    synchronized (this) {
      if (phase != Phase.HEAD || headDeadline - System.nanoTime() > 0) {
        return;
      }
      attempt = call;
    }
    fail(attempt, Failure.TIMEOUT, Failures.HeadTimeout.INSTANCE);
  }

  /** No head is awaited any more: the timer forgets this connection. */
  private void headSettled() {
    if (headDeadline != Long.MAX_VALUE) {
      headDeadline = Long.MAX_VALUE;
      pool.headTimeouts().settled(this);
    }
  }

  /**
   * Registers read interest with a callback the selector may run itself (non-blocking): nothing
   * here waits (writes to the client are asynchronous, the exchange's calls are bookkeeping), so
   * the selector thread reads, parses and relays what the backend sent instead of handing every
   * backend read to another thread. (AbstractConnection's own read interest is blocking, and its
   * non-blocking variant exists on Jetty 12.1 only.)
   */
  private void readInterest() {
    getEndPoint().fillInterested(fillable);
  }

  /**
   * Called from here, not from the callback: {@code onFillInterestedFailed} is protected on Jetty
   * 12.0 (public on 12.1), so a call compiled against 12.1 from another class fails on 12.0.
   */
  private void readFailed(Throwable failure) {
    onFillInterestedFailed(failure);
  }

  @Override
  public void onFillable() {
    boolean idle;
    synchronized (this) {
      idle = phase == Phase.IDLE;
      if (idle) {
        phase = Phase.CLOSED;
      }
    }
    if (idle) {
      // Closed by the backend while idle, or bytes nobody asked for: either way, not reusable.
      pool.remove(this);
      getEndPoint().close();
      return;
    }
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
      afterParse();
    }
  }

  private void parseLoop() {
    while (true) {
      ForwardCall attempt;
      synchronized (this) {
        if (phase != Phase.HEAD && phase != Phase.RELAYING) {
          return;
        }
        attempt = call;
      }
      if (buffer == null) {
        buffer = Buffers.acquire(pool.buffers(), BUFFER_SIZE, true);
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
        return; // an ended attempt, or a body chunk waiting on its write
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
        fail(attempt, failureNow(Failure.RESET), e);
        return;
      }
      if (filled == 0) {
        releaseBuffer(); // empty: a quiet backend holds no buffer
        readInterest();
        return;
      }
      if (filled < 0) {
        if (!received) {
          // Closed before any byte of the response: on a pooled connection, a stale one.
          fail(attempt, Failure.RESET, new EOFException("backend closed " + getEndPoint()));
          return;
        }
        eof = true;
        parser.atEOF();
        continue;
      }
      synchronized (this) {
        received = true;
      }
    }
  }

  /** After the parse loop: give the buffer back, and the connection too if its response ended. */
  private void afterParse() {
    boolean back;
    RetainableByteBuffer held = null;
    ForwardCall ended;
    ByteBuffer last;
    synchronized (this) {
      ended = finished;
      finished = null;
      last = ended != null ? lastContent : null;
      lastContent = null;
      parsing = false;
      back = recycle && !chunk.pending();
      if (back) {
        recycle = false;
      }
      if (last != null || back || (!chunk.pending() && (phase == Phase.CLOSED || phase == Phase.ENDED))) {
        held = buffer;
        buffer = null;
      }
    }
    if (last == null && held != null) {
      held.release();
    }
    if (back) {
      toPool();
    }
    if (ended != null) {
      finish(ended, last, last == null ? null : held);
    }
  }

  private void toPool() {
    getEndPoint().setIdleTimeout(pool.idleTimeoutMillis());
    synchronized (this) {
      if (phase != Phase.ENDED) {
        return;
      }
      call = null;
      phase = Phase.IDLE;
    }
    // Read interest while idle notices a backend closing it (see onFillable); the next attempt
    // takes it over, so an attempt on a pooled connection never registers its own.
    readInterest();
    pool.release(this);
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

  private void chunkFailed(ForwardCall attempt, Throwable failure) {
    synchronized (this) {
      chunk.failed();
    }
    fail(attempt, Failure.CANCELLED, new Failures.ClientGone(failure));
    boolean idle;
    synchronized (this) {
      idle = !parsing && phase == Phase.CLOSED;
    }
    if (idle) {
      releaseBuffer();
    }
  }

  // --- HttpParser.ResponseHandler ------------------------------------------------------------

  @Override
  public void startResponse(HttpVersion version, int status, String reason) {
    this.status = status;
    this.serverFields = HttpFields.build();
    if (version != HttpVersion.HTTP_1_1) {
      persistent = false; // HTTP/1.0 keep-alive is not worth the special case
    }
  }

  @Override
  public void parsedHeader(HttpField field) {
    if (field.getHeader() == HttpHeader.CONNECTION && field.contains(HttpHeaderValue.CLOSE.asString())) {
      persistent = false;
    }
    serverFields.add(field);
  }

  @Override
  public boolean headerComplete() {
    if (status >= 100 && status < 200 && status != 101) {
      interim = true; // 100 Continue, 102, 103: not the answer; messageComplete follows
      serverFields = null;
      persistent = true;
      return false;
    }
    ForwardCall attempt;
    synchronized (this) {
      if (phase != Phase.HEAD) {
        return true;
      }
      phase = Phase.DECIDING;
      attempt = call;
    }
    headSettled();
    Step step = attempt.exchange.responded(status);
    if (step == Step.RELAY) {
      synchronized (this) {
        phase = Phase.RELAYING;
      }
      attempt.clientResponse.setStatus(status);
      attempt.exchange.responseHeaders(new JettyFields(serverFields),
          new ClientResponseFields(attempt.clientResponse.getHeaders()));
      return false;
    }
    // A retried status, or an answer nobody may see (a 101 to a plain request): drop it.
    synchronized (this) {
      phase = Phase.CLOSED;
    }
    getEndPoint().close();
    attempt.next(step, null);
    return true;
  }

  @Override
  public boolean content(ByteBuffer item) {
    ForwardCall attempt;
    synchronized (this) {
      if (phase != Phase.RELAYING) {
        return true;
      }
      contentSeen += item.remaining();
      long length = parser.getContentLength();
      if (length >= 0 && contentSeen >= length) {
        // The last bytes of a body framed by length: the parser reports the end right away, so
        // they go out with it, after the connection is back in the pool (see afterParse). A
        // client that knows the length would otherwise send its next request before that.
        lastContent = item;
        return false;
      }
      attempt = call;
      chunk.started();
    }
    attempt.clientResponse.write(false, item,
        Callback.from(this::chunkWritten, failure -> chunkFailed(attempt, failure)));
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
    ForwardCall attempt;
    boolean reusable;
    synchronized (this) {
      if (phase != Phase.RELAYING) {
        return true;
      }
      attempt = call;
      reusable = persistent && !eof && !buffer.getByteBuffer().hasRemaining()
          && pool.mayReuse(served);
      phase = reusable ? Phase.ENDED : Phase.CLOSED;
      // A backend may answer before the last request bytes' write has called back (or before the
      // client's body ended): the connection goes back once the request is out, not before.
      recycle = reusable && requestDone;
      awaitingRequest = reusable && !requestDone;
    }
    if (!reusable) {
      getEndPoint().close();
    }
    synchronized (this) {
      finished = attempt;
    }
    return true;
  }

  /**
   * Ends the relayed response once the connection is back in the pool (see {@link #afterParse}):
   * a client that sends its next request as soon as it has this response finds it there.
   */
  private static void finish(ForwardCall attempt, ByteBuffer last, RetainableByteBuffer held) {
    attempt.clientResponse.write(true, last, Callback.from(() -> {
      if (held != null) {
        held.release();
      }
      attempt.exchange.completed();
      attempt.callback.succeeded();
    }, failure -> {
      if (held != null) {
        held.release();
      }
      attempt.exchange.failed(Failure.CANCELLED);
      attempt.callback.failed(failure);
    }));
  }

  @Override
  public void earlyEOF() {
    ForwardCall attempt;
    synchronized (this) {
      attempt = call;
    }
    fail(attempt, failureNow(Failure.RESET), new EOFException("backend closed " + getEndPoint()));
  }

  @Override
  public void badMessage(HttpException failure) {
    ForwardCall attempt;
    synchronized (this) {
      attempt = call;
    }
    fail(attempt, failureNow(Failure.PROTOCOL), (Throwable) failure);
  }

  // --- endpoint events -----------------------------------------------------------------------

  @Override
  public boolean onIdleExpired(TimeoutException timeout) {
    ForwardCall attempt;
    synchronized (this) {
      if (phase == Phase.IDLE) {
        phase = Phase.CLOSED;
        attempt = null;
      } else if (phase == Phase.HEAD || phase == Phase.RELAYING || phase == Phase.ENDED) {
        attempt = call;
      } else {
        return false;
      }
    }
    if (attempt == null) {
      pool.remove(this);
      getEndPoint().close(timeout);
      return false;
    }
    // An idle backend before its head is a timeout (Envoy's per-try idea); after, an idle body.
    fail(attempt, failureNow(Failure.TIMEOUT), timeout);
    return false;
  }

  @Override
  public void onClose(Throwable cause) {
    super.onClose(cause);
    ForwardCall attempt;
    boolean wasIdle;
    synchronized (this) {
      wasIdle = phase == Phase.IDLE;
      if (wasIdle) {
        phase = Phase.CLOSED;
      }
      attempt = call;
    }
    if (wasIdle) {
      pool.remove(this);
    } else if (attempt != null) {
      fail(attempt, failureNow(Failure.RESET), cause != null ? cause : new EOFException("closed"));
    }
    boolean idle;
    synchronized (this) {
      idle = !parsing && !chunk.pending();
    }
    if (idle) {
      releaseBuffer();
    }
  }

  /**
   * Ends {@code attempt} with {@code failure} unless it ended already (or this connection carries
   * another attempt by now): before anything was relayed, the call decides (a stale connection's
   * resend, or the exchange); after, the client's response is cut.
   */
  void fail(ForwardCall attempt, Failure failure, Throwable cause) {
    boolean relaying;
    boolean stale;
    boolean over = false;
    synchronized (this) {
      if (attempt != call) {
        return;
      }
      if (phase == Phase.ENDED) {
        // The response ended, its request did not (the client's body failed, the write broke):
        // the connection cannot be reused, and the attempt is over already.
        phase = Phase.CLOSED;
        awaitingRequest = false;
        recycle = false;
        over = true;
      } else if (phase != Phase.HEAD && phase != Phase.RELAYING) {
        return;
      }
      relaying = phase == Phase.RELAYING;
      stale = !relaying && reused && !received && failure == Failure.RESET;
      phase = Phase.CLOSED;
    }
    headSettled();
    getEndPoint().close(cause);
    if (!over) {
      attempt.attemptFailed(failure, cause, relaying, stale);
    }
  }

  /** The failure class for a broken connection now: {@code beforeHead}, or one of the body's. */
  private synchronized Failure failureNow(Failure beforeHead) {
    if (phase != Phase.RELAYING) {
      return beforeHead;
    }
    return beforeHead == Failure.TIMEOUT ? Failure.IDLE_TIMEOUT : Failure.RESET_DURING_BODY;
  }

  private void releaseBuffer() {
    RetainableByteBuffer held;
    synchronized (this) {
      held = buffer;
      buffer = null;
    }
    if (held != null) {
      held.release();
    }
  }
}
