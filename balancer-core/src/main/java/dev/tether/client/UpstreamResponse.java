package dev.tether.client;

import dev.tether.api.HeaderFields;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A backend's response: the head, read when {@link UpstreamClient#send} returns, and the body,
 * read by {@link #transferTo}. Closing it gives the connection back to the pool when the body was
 * read to its end and the backend keeps the connection open; otherwise the connection is closed.
 * A {@code 101} to an upgrade request has no body: its connection is {@link #takeOver() taken
 * over} instead.
 *
 * <p>It is the {@link HeaderFields} the exchange reads the server response's fields from, so they
 * are never copied into another structure.
 */
public final class UpstreamResponse implements Closeable, HeaderFields {
  /** How the end of the body is found (RFC 9112 section 6.3); SWITCHED for a 101. */
  enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE, SWITCHED }

  private final UpstreamClient client;
  private final Connection connection;
  private final int status;
  private final String reason;
  /** Names and values, alternating. */
  private final List<String> fields;
  private final Framing framing;
  private final long contentLength;
  private final boolean keepAlive;
  private boolean complete;
  private boolean closed;
  private boolean takenOver;

  UpstreamResponse(UpstreamClient client, Connection connection, int status, String reason,
      List<String> fields, Framing framing, long contentLength, boolean keepAlive) {
    this.client = client;
    this.connection = connection;
    this.status = status;
    this.reason = reason;
    this.fields = fields;
    this.framing = framing;
    this.contentLength = contentLength;
    this.keepAlive = keepAlive;
    this.complete = framing == Framing.NONE;
  }

  /**
   * Takes the connection of a {@code 101 Switching Protocols} answer over, with the bytes the
   * backend sent after the head. Closing this response afterwards leaves the connection open.
   *
   * @throws IllegalStateException when the status is not 101, or it was taken or closed already
   */
  public UpgradedConnection takeOver() {
    if (framing != Framing.SWITCHED || takenOver || closed) {
      throw new IllegalStateException("no switched connection to take over (status " + status
          + (takenOver ? ", already taken" : closed ? ", closed" : "") + ")");
    }
    takenOver = true;
    closed = true;
    Connection c = connection;
    ByteBuffer leftover = ByteBuffer.wrap(
        Arrays.copyOfRange(c.read, c.readPosition, c.readLimit));
    c.readPosition = c.readLimit;
    return new UpgradedConnection(c.channel, leftover);
  }

  public int status() {
    return status;
  }

  /** The reason phrase as the backend sent it, possibly empty. */
  public String reason() {
    return reason;
  }

  /** How many header fields the response has; repeated fields count once per line. */
  @Override
  public int size() {
    return fields.size() / 2;
  }

  /** The name of field {@code i}, as the backend spelled it. */
  @Override
  public String name(int i) {
    return fields.get(2 * i);
  }

  /** The value of field {@code i}, without surrounding whitespace. */
  @Override
  public String value(int i) {
    return fields.get(2 * i + 1);
  }

  /** Every value of the fields named {@code name} (case-insensitive), in order. */
  public List<String> values(String name) {
    List<String> values = new ArrayList<>(2);
    for (int i = 0; i < fields.size(); i += 2) {
      if (fields.get(i).equalsIgnoreCase(name)) {
        values.add(fields.get(i + 1));
      }
    }
    return values;
  }

  /** Whether a body follows the head (not for HEAD requests, 101, 204 and 304). */
  public boolean hasBody() {
    return framing != Framing.NONE && framing != Framing.SWITCHED;
  }

  /** The body's length when the backend declared it with {@code Content-Length}, else -1. */
  public long contentLength() {
    return framing == Framing.LENGTH ? contentLength : hasBody() ? -1 : 0;
  }

  /**
   * Streams the body to {@code sink}: as it arrives, decoded from chunked, ending with a piece
   * marked last (empty when the body ended without data). A response without a body gets one
   * empty last piece.
   *
   * @throws UpstreamException of kind {@link UpstreamException.Kind#RESPONSE_BODY} when the
   *     backend fails, or ends early, or {@link UpstreamException.Kind#RESPONSE_BODY_TIMEOUT}
   *     when it sent nothing for the body timeout
   * @throws IOException as the sink threw it
   */
  public void transferTo(BodySink sink) throws IOException {
    if (closed) {
      throw new IllegalStateException("response already closed");
    }
    switch (framing) {
      case NONE -> sink.write(connection.read, 0, 0, true);
      case SWITCHED -> throw new IllegalStateException("a 101 has no body: take it over");
      case LENGTH -> transferLength(sink);
      case CHUNKED -> transferChunked(sink);
      case UNTIL_CLOSE -> transferUntilClose(sink);
    }
  }

  private void transferLength(BodySink sink) throws IOException {
    Connection c = connection;
    long remaining = contentLength;
    if (remaining == 0) {
      complete = true;
      sink.write(c.read, 0, 0, true);
      return;
    }
    while (remaining > 0) {
      if (c.readPosition == c.readLimit && fill() < 0) {
        throw bodyFailure("the backend closed the connection " + remaining + " bytes before the"
            + " end of the body", null);
      }
      int n = (int) Math.min(c.readLimit - c.readPosition, remaining);
      int from = c.readPosition;
      c.readPosition += n;
      remaining -= n;
      if (remaining == 0) {
        complete = true;
      }
      sink.write(c.read, from, n, remaining == 0);
    }
  }

  private enum ChunkState { SIZE, DATA, DATA_END, TRAILERS }

  /**
   * Decodes chunks in place: the data of every chunk already in the buffer is moved together over
   * the chunk-size lines, so a response of many small chunks reaches the sink as one piece per
   * read from the backend rather than one per chunk.
   */
  private void transferChunked(BodySink sink) throws IOException {
    Connection c = connection;
    ChunkState state = ChunkState.SIZE;
    long chunkLeft = 0;
    while (true) {
      int start = c.readPosition;
      int out = start;
      boolean needMore = false;
      while (!needMore) {
        switch (state) {
          case SIZE -> {
            String line = c.pollLine();
            if (line == null) {
              needMore = true;
            } else {
              chunkLeft = chunkSize(line);
              state = chunkLeft == 0 ? ChunkState.TRAILERS : ChunkState.DATA;
            }
          }
          case DATA -> {
            int n = (int) Math.min(c.readLimit - c.readPosition, chunkLeft);
            System.arraycopy(c.read, c.readPosition, c.read, out, n);
            out += n;
            c.readPosition += n;
            chunkLeft -= n;
            if (chunkLeft == 0) {
              state = ChunkState.DATA_END;
            } else {
              needMore = true;
            }
          }
          case DATA_END -> {
            String line = c.pollLine();
            if (line == null) {
              needMore = true;
            } else if (!line.isEmpty()) {
              throw bodyFailure("chunk data longer than its size", null);
            } else {
              state = ChunkState.SIZE;
            }
          }
          case TRAILERS -> {
            String line = c.pollLine();
            if (line == null) {
              needMore = true;
            } else if (line.isEmpty()) {
              complete = true;
              sink.write(c.read, start, out - start, true);
              return;
            }
            // Trailer fields are dropped: the client response has already been committed.
          }
        }
      }
      if (out > start) {
        // The decoded data sits before the bytes still to be decoded: hand it over before fill
        // moves those to the front of the buffer.
        int unread = c.readLimit - c.readPosition;
        System.arraycopy(c.read, c.readPosition, c.read, out, unread);
        c.readPosition = out;
        c.readLimit = out + unread;
        sink.write(c.read, start, out - start, false);
      }
      if (fill() < 0) {
        throw bodyFailure("the backend closed the connection inside a chunked body", null);
      }
    }
  }

  private long chunkSize(String line) throws UpstreamException {
    int end = line.indexOf(';');
    String hex = (end < 0 ? line : line.substring(0, end)).trim();
    if (hex.isEmpty() || hex.length() > 15) {
      throw bodyFailure("a chunk size of '" + line + "'", null);
    }
    long size = 0;
    for (int i = 0; i < hex.length(); i++) {
      int digit = Character.digit(hex.charAt(i), 16);
      if (digit < 0) {
        throw bodyFailure("a chunk size of '" + line + "'", null);
      }
      size = size << 4 | digit;
    }
    return size;
  }

  private void transferUntilClose(BodySink sink) throws IOException {
    Connection c = connection;
    while (true) {
      if (c.readPosition < c.readLimit) {
        int from = c.readPosition;
        c.readPosition = c.readLimit;
        sink.write(c.read, from, c.readLimit - from, false);
      }
      if (fill() < 0) {
        complete = true;
        sink.write(c.read, 0, 0, true);
        return;
      }
    }
  }

  private int fill() throws UpstreamException {
    try {
      return connection.fill();
    } catch (SocketTimeoutException e) {
      complete = false;
      throw new UpstreamException(UpstreamException.Kind.RESPONSE_BODY_TIMEOUT,
          connection.backend.authority() + ": no body byte from the backend within the body"
              + " timeout", e);
    } catch (UpstreamException e) {
      throw bodyFailure(e.getMessage(), e);
    } catch (IOException e) {
      throw bodyFailure(e.toString(), e);
    }
  }

  private UpstreamException bodyFailure(String message, Throwable cause) {
    complete = false;
    return new UpstreamException(UpstreamException.Kind.RESPONSE_BODY,
        connection.backend.authority() + ": " + message, cause);
  }

  /**
   * Ends the exchange: the connection goes back to the pool if the body was read to its end, the
   * backend did not ask to close it, and it sent nothing beyond the response; otherwise it is
   * closed (an unread body is not drained).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Connection c = connection;
    if (complete && keepAlive && framing != Framing.UNTIL_CLOSE && framing != Framing.SWITCHED
        && c.readPosition == c.readLimit) {
      client.release(c);
    } else {
      c.close();
    }
  }
}
