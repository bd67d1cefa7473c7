package dev.tether.client;

import java.io.IOException;

/**
 * Where a response body goes: the container's client response. The bytes are only valid during
 * the call (they are the connection's own buffer).
 */
@FunctionalInterface
public interface BodySink {
  /**
   * Takes the next piece of the body.
   *
   * @param last whether this is the end of the body; a piece that is not last was everything the
   *     backend had sent so far, so a sink that streams (server-sent events) should flush it
   * @throws IOException when the client cannot take it; it is passed on to the caller as is
   */
  void write(byte[] bytes, int offset, int length, boolean last) throws IOException;
}
