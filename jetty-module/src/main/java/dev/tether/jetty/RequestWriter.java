package dev.tether.jetty;

import dev.tether.api.Failure;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * Writes one attempt's proxy -> server request on a {@link BackendConnection}: the head with Jetty's
 * {@link HttpGenerator} (method and target as received, the exchange's fields), then the client's
 * body as it arrives, one chunk in flight: read a chunk, write it, read the next once the write is
 * done, so a slow backend holds back the client and nothing is buffered whole. A body of known
 * length goes with its {@code Content-Length}; one of unknown length (HTTP/1.1 chunked, or an
 * HTTP/2 stream without {@code content-length}) chunked; the generator writes the framing.
 */
final class RequestWriter extends IteratingCallback {
  private static final int MAX_HEAD_SIZE = 64 * 1024;

  private final BackendConnection connection;
  private final ForwardCall call;
  private final ByteBufferPool buffers;
  private final HttpGenerator generator = new HttpGenerator();
  private final MetaData.Request head;
  private int headSize = 4096;
  private RetainableByteBuffer header;
  private RetainableByteBuffer chunk;
  /** The client's body chunk being written, released once the write is done. */
  private Content.Chunk body;
  private boolean last;
  /** The body was found empty before anything was read (an HTTP/2 request without data). */
  private Content.Chunk peeked;

  RequestWriter(BackendConnection connection, ForwardCall call, ByteBufferPool buffers) {
    this.connection = connection;
    this.call = call;
    this.buffers = buffers;
    HttpFields.Mutable fields = HttpFields.build();
    call.exchange.requestHeaders(new FieldSink(fields));
    if (call.host != null) {
      fields.put(HttpHeader.HOST, call.host);
    }
    long length = bodyLength();
    last = length == 0;
    head = new MetaData.Request(call.clientRequest.getMethod(),
        HttpURI.build().pathQuery(Targets.pathAndQuery(call.clientRequest)),
        HttpVersion.HTTP_1_1, fields, length);
  }

  /**
   * The client body's length: its {@code Content-Length}, 0 for none, -1 for a body of unknown
   * length (sent chunked). An HTTP/1 request has a body only with one of the two framing fields;
   * an HTTP/2 or HTTP/3 stream may carry data without {@code content-length}, so its content is
   * looked at: an end already there means none, anything else is read as a body.
   */
  private long bodyLength() {
    long length = call.clientRequest.getLength();
    if (length >= 0) {
      return length;
    }
    if (call.clientRequest.getConnectionMetaData().getHttpVersion().getVersion() <= 11) {
      return call.clientRequest.getHeaders().contains(HttpHeader.TRANSFER_ENCODING) ? -1 : 0;
    }
    Content.Chunk first = call.clientRequest.read();
    if (first == null) {
      return -1;
    }
    if (first.isLast() && !first.hasRemaining() && !Content.Chunk.isFailure(first)) {
      first.release();
      return 0;
    }
    // Bytes were there already: nothing was sent yet, so telling the exchange now is in time.
    peeked = first;
    return -1;
  }

  /** Writes the request; {@link BackendConnection#requestWritten} once all of it went out. */
  void start() {
    iterate();
  }

  @Override
  protected Action process() throws Exception {
    while (true) {
      if (body != null) {
        body.release();
        body = null;
      }
      if (generator.isEnd()) {
        releaseBuffers();
        connection.requestWritten(call);
        return Action.SUCCEEDED;
      }
      ByteBuffer content = null;
      if (!last && generator.isCommitted()) {
        Content.Chunk read = nextBodyChunk();
        if (read == null) {
          call.clientRequest.demand(this::succeeded);
          return Action.SCHEDULED;
        }
        if (Content.Chunk.isFailure(read)) {
          read.release();
          throw new Failures.ClientGone(read.getFailure());
        }
        body = read;
        content = read.getByteBuffer();
        last = read.isLast();
      }
      if (generate(content)) {
        return Action.SCHEDULED;
      }
    }
  }

  private Content.Chunk nextBodyChunk() {
    Content.Chunk first = peeked;
    if (first != null) {
      peeked = null;
      call.bodyRead();
      return first;
    }
    call.bodyRead();
    return call.clientRequest.read();
  }

  /**
   * Runs the generator over {@code content}: true when it started a write (this callback is
   * called when done), false when it needs the next body chunk or ended.
   */
  private boolean generate(ByteBuffer content) throws IOException {
    while (true) {
      HttpGenerator.Result result = generator.generateRequest(head,
          header == null ? null : header.getByteBuffer(),
          chunk == null ? null : chunk.getByteBuffer(), content, last);
      switch (result) {
        case NEED_HEADER -> header = Buffers.acquire(buffers, headSize, true);
        case HEADER_OVERFLOW -> {
          header.release();
          header = null;
          headSize *= 2;
          if (headSize > MAX_HEAD_SIZE) {
            throw new IOException("request head larger than " + MAX_HEAD_SIZE + " bytes");
          }
        }
        case NEED_CHUNK, NEED_CHUNK_TRAILER -> {
          if (chunk != null) {
            chunk.release();
          }
          chunk = Buffers.acquire(buffers, result == HttpGenerator.Result.NEED_CHUNK
              ? HttpGenerator.CHUNK_SIZE : 1024, true);
        }
        case FLUSH -> {
          write(content);
          return true;
        }
        case CONTINUE -> {
        }
        case DONE, SHUTDOWN_OUT -> {
          return false;
        }
        default -> throw new IOException("cannot generate the request: " + result);
      }
    }
  }

  private void write(ByteBuffer content) {
    EndPoint endPoint = connection.getEndPoint();
    ByteBuffer headerBytes = header == null ? null : header.getByteBuffer();
    ByteBuffer chunkBytes = chunk == null ? null : chunk.getByteBuffer();
    boolean hasHeader = headerBytes != null && headerBytes.hasRemaining();
    boolean hasChunk = chunkBytes != null && chunkBytes.hasRemaining();
    boolean hasContent = content != null && content.hasRemaining();
    if (hasHeader && hasChunk && hasContent) {
      endPoint.write(this, headerBytes, chunkBytes, content);
    } else if (hasHeader && hasContent) {
      endPoint.write(this, headerBytes, content);
    } else if (hasChunk && hasContent) {
      endPoint.write(this, chunkBytes, content);
    } else if (hasHeader && hasChunk) {
      endPoint.write(this, headerBytes, chunkBytes);
    } else if (hasHeader) {
      endPoint.write(this, headerBytes);
    } else if (hasChunk) {
      endPoint.write(this, chunkBytes);
    } else if (hasContent) {
      endPoint.write(this, content);
    } else {
      succeeded();
    }
  }

  @Override
  protected void onCompleteFailure(Throwable cause) {
    if (body != null) {
      body.release();
      body = null;
    }
    if (peeked != null) {
      peeked.release();
      peeked = null;
    }
    releaseBuffers();
    boolean clientGone = cause instanceof Failures.ClientGone;
    connection.fail(call, clientGone ? Failure.CANCELLED : Failure.RESET, cause);
  }

  private void releaseBuffers() {
    if (header != null) {
      header.release();
      header = null;
    }
    if (chunk != null) {
      chunk.release();
      chunk = null;
    }
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }
}
