package dev.tether.client;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A backend connection that switched protocols (a {@code 101} to an upgrade request), handed over
 * to the caller: from here on it carries the new protocol's bytes, which this client does not
 * read. It is never returned to the pool; the caller closes it.
 *
 * @param channel the connection, still in blocking mode (the caller may switch it)
 * @param leftover bytes the backend sent after the 101's head that were already read with it (the
 *     first bytes of the new protocol, often a WebSocket frame); possibly empty, to be relayed
 *     before anything read from the channel
 */
public record UpgradedConnection(SocketChannel channel, ByteBuffer leftover) {}
