package dev.tether.demo;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The backend's WebSocket endpoint: every text message comes back as {@code <instance>: <message>},
 * so a client can tell which backend its socket landed on from any reply, and every binary
 * message comes back unchanged. The socket stays open until the client (or a proxy between)
 * closes it.
 *
 * <p>Public only because Jetty calls the listener methods through a public method-handle lookup;
 * nothing outside this package can make one.
 */
public final class EchoSocket extends Session.Listener.AbstractAutoDemanding {

  private final String instance;

  EchoSocket(String instance) {
    this.instance = instance;
  }

  @Override
  public void onWebSocketText(String message) {
    getSession().sendText(instance + ": " + message, Callback.NOOP);
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    // The payload is ours until callback completes, which is once it has been sent back.
    getSession().sendBinary(payload, callback);
  }

  /**
   * A peer that goes away without a close handshake (a killed client, a proxy's idle timeout) is
   * an ordinary end for an echo, not something to log as an unhandled error.
   */
  @Override
  public void onWebSocketError(Throwable cause) {
    // Nothing to clean up: the session is closed by Jetty.
  }
}
