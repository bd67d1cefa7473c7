package dev.tether.contract;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * A real WebSocket backend (RFC 6455) on Jetty's core WebSocket server: a well-kept peer does
 * the handshake and the framing, so a scenario tests the proxy and not a frame codec of its
 * own. Every path upgrades; the 101 carries {@value Backend#INSTANCE_HEADER}. On open it sends
 * {@link #welcome()}; every text message {@code m} is answered {@code <name>: m}, every binary
 * message echoed as it came. A plain request (no upgrade) is answered {@code 200}
 * {@code plain from <name>}, so a session can be obtained from it first.
 */
final class WebSocketBackend implements Backend {
  private final String name;
  private final Server server;
  private final ServerConnector connector;
  private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();

  private WebSocketBackend(String name) throws Exception {
    this.name = name;
    QueuedThreadPool threads = new QueuedThreadPool(8, 2);
    threads.setName("contract-" + name);
    threads.setDaemon(true);
    server = new Server(threads);
    connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    WebSocketUpgradeHandler upgrades = new WebSocketUpgradeHandler();
    upgrades.addMapping("/*", (request, response, callback) -> {
      record(request);
      response.getHeaders().put(INSTANCE_HEADER, name);
      return new Echo();
    });
    upgrades.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        record(request);
        response.setStatus(200);
        response.getHeaders().put(INSTANCE_HEADER, name);
        response.getHeaders().put("content-type", "text/plain");
        response.write(true, ByteBuffer.wrap(plain().getBytes(StandardCharsets.UTF_8)),
            callback);
        return true;
      }
    });
    server.setHandler(upgrades);
    server.start();
  }

  static WebSocketBackend start(String name) {
    try {
      return new WebSocketBackend(name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the WebSocket backend " + name, e);
    }
  }

  /** The first message the backend sends on every socket. */
  String welcome() {
    return "welcome from " + name;
  }

  /** The answer to a text message. */
  String echo(String message) {
    return name + ": " + message;
  }

  /** The body of the answer to a plain request. */
  String plain() {
    return "plain from " + name;
  }

  /** WebSocket sessions opened so far. */
  int socketsOpened() {
    return opened.get();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public List<ReceivedRequest> requests() {
    return List.copyOf(received);
  }

  @Override
  public int connectionsAccepted() {
    return received.size();
  }

  /** Open WebSocket sessions. */
  @Override
  public int busyConnections() {
    return open.get();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the WebSocket backend " + name, e);
    }
  }

  @Override
  public String toString() {
    return "WebSocketBackend " + name + " at " + address();
  }

  private void record(Request request) {
    HttpFields headers = request.getHeaders();
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (HttpField field : headers) {
      names.add(field.getName());
      values.add(field.getValue());
    }
    String target = request.getHttpURI().getPathQuery();
    received.add(new ReceivedRequest(request.getMethod(), target, new Fields(names, values),
        new byte[0], true));
  }

  /** One socket: welcome, then answer each message; fragments are joined first. */
  private final class Echo implements FrameHandler {
    private CoreSession session;
    private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
    private byte messageType = OpCode.UNDEFINED;
    private boolean counted;

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
      session = coreSession;
      counted = true;
      open.incrementAndGet();
      opened.incrementAndGet();
      session.sendFrame(new Frame(OpCode.TEXT, welcome()), Callback.NOOP, false);
      callback.succeeded();
      session.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
      switch (frame.getOpCode()) {
        case OpCode.TEXT, OpCode.BINARY, OpCode.CONTINUATION -> {
          if (frame.getOpCode() != OpCode.CONTINUATION) {
            messageType = frame.getOpCode();
            message.reset();
          }
          ByteBuffer payload = frame.getPayload();
          if (payload != null) {
            byte[] bytes = new byte[payload.remaining()];
            payload.duplicate().get(bytes);
            message.write(bytes, 0, bytes.length);
          }
          if (frame.isFin()) {
            answer();
          }
          callback.succeeded();
          session.demand();
        }
        case OpCode.PING -> session.sendFrame(new Frame(OpCode.PONG, true, frame.getPayload()),
            Callback.from(session::demand, callback), false);
        case OpCode.CLOSE -> callback.succeeded();
        default -> {
          callback.succeeded();
          session.demand();
        }
      }
    }

    private void answer() {
      byte[] bytes = message.toByteArray();
      Frame reply = messageType == OpCode.TEXT
          ? new Frame(OpCode.TEXT, echo(new String(bytes, StandardCharsets.UTF_8)))
          : new Frame(OpCode.BINARY, ByteBuffer.wrap(bytes));
      session.sendFrame(reply, Callback.NOOP, false);
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
      callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
      if (counted) {
        counted = false;
        open.decrementAndGet();
      }
      callback.succeeded();
    }
  }
}
