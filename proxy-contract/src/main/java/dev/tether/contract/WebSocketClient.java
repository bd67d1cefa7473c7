package dev.tether.contract;

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
 * A WebSocket client on the JDK's own implementation ({@link java.net.http.WebSocket}), the
 * well-kept peer for the client side: it performs the handshake and framing (masked frames,
 * fragmentation, the close handshake) as a browser would. Messages are queued as they complete;
 * every wait is bounded.
 */
final class WebSocketClient implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final WebSocket socket;
  private final BlockingQueue<Object> messages;
  private final CompletableFuture<Integer> closed;

  private WebSocketClient(WebSocket socket, BlockingQueue<Object> messages,
      CompletableFuture<Integer> closed) {
    this.socket = socket;
    this.messages = messages;
    this.closed = closed;
  }

  /**
   * Opens {@code ws://127.0.0.1:port/path}; {@code headers} alternate name and value. Fails when
   * the handshake does not succeed within the bound.
   */
  static WebSocketClient open(int port, String path, String... headers) throws Exception {
    BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    WebSocket socket = builder
        .buildAsync(URI.create("ws://127.0.0.1:" + port + path), new Queueing(messages, closed))
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return new WebSocketClient(socket, messages, closed);
  }

  /** Sends one text message, whole. */
  void send(String text) throws Exception {
    socket.sendText(text, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next text message; fails when none arrives within the bound. */
  String next() throws InterruptedException {
    Object message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (message == null) {
      throw new AssertionError("no WebSocket message within " + WAIT);
    }
    if (message instanceof Throwable failure) {
      throw new AssertionError("the WebSocket failed", failure);
    }
    return (String) message;
  }

  /** Runs the close handshake (bounded), then drops the connection whatever happened. */
  @Override
  public void close() {
    try {
      if (!socket.isOutputClosed()) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done")
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
      closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // The peer did not finish the handshake: abort below.
    } finally {
      socket.abort();
    }
  }

  /** Collects whole text messages; a failure is queued so that {@link #next} reports it. */
  private static final class Queueing implements WebSocket.Listener {
    private final BlockingQueue<Object> messages;
    private final CompletableFuture<Integer> closed;
    private final StringBuilder text = new StringBuilder();

    Queueing(BlockingQueue<Object> messages, CompletableFuture<Integer> closed) {
      this.messages = messages;
      this.closed = closed;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        messages.add(text.toString());
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      messages.add(error);
      closed.completeExceptionally(error);
    }
  }
}
