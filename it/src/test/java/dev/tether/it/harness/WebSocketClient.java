package dev.tether.it.harness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket client as an application would use one: the JDK's {@link WebSocket}, whole text
 * messages only. Each wait is bounded; {@link #ended()} completes once the socket is over, with
 * the close code the peer sent or the error that ended it.
 */
public final class WebSocketClient implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final WebSocket socket;
  private final Listener listener;

  private WebSocketClient(WebSocket socket, Listener listener) {
    this.socket = socket;
    this.listener = listener;
  }

  /**
   * Opens {@code uri} ({@code ws://...}) with the given extra header name/value pairs.
   *
   * @throws IllegalStateException when the handshake fails (its cause says how)
   */
  public static WebSocketClient connect(URI uri, String... headerNamesAndValues) {
    if (headerNamesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("headers: odd count (expected: name/value pairs)");
    }
    Listener listener = new Listener();
    WebSocket.Builder builder = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5)).build()
        .newWebSocketBuilder().connectTimeout(TIMEOUT);
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      builder.header(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
    }
    try {
      return new WebSocketClient(await(builder.buildAsync(uri, listener), "handshake with " + uri),
          listener);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("WebSocket " + uri + " did not open", e);
    }
  }

  /** Sends {@code text} as one message and waits until it has been written. */
  public void send(String text) {
    await(socket.sendText(text, true), "send " + text);
  }

  /** The next whole text message. */
  public String receive() {
    try {
      String message = listener.messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (message == null) {
        throw new IllegalStateException("no message within " + TIMEOUT
            + (listener.ended.isDone() ? "; socket ended: " + listener.ended.join() : ""));
      }
      return message;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Completes when the socket is over: {@code close <code>} when the peer sent a close frame,
   * {@code error <exception>} when the connection ended without one.
   */
  public CompletableFuture<String> ended() {
    return listener.ended;
  }

  /** Sends a normal close and waits (bounded) for the peer's. */
  @Override
  public void close() {
    try {
      if (!socket.isOutputClosed()) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(TIMEOUT.toMillis(),
            TimeUnit.MILLISECONDS);
      }
      listener.ended.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // Closing is best effort; abort below.
    } finally {
      socket.abort();
    }
  }

  private static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + ": nothing within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    }
  }

  /** Collects whole text messages and the end of the socket. */
  private static final class Listener implements WebSocket.Listener {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<String> ended = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ended.complete("close " + statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended.complete("error " + error);
    }
  }
}
