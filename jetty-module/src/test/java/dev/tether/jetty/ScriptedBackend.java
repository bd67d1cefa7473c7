package dev.tether.jetty;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend on a raw server socket on 127.0.0.1 that runs a script per accepted connection, for
 * what an HTTP server library will not do on purpose (answer 101 and keep the socket, send bytes
 * right after a head, half-close, reset, go silent). One thread per connection; {@link #close}
 * closes every socket and waits for the threads.
 */
final class ScriptedBackend implements AutoCloseable {
  /** What the backend does with one accepted connection. */
  interface Script {
    void run(Socket socket) throws Exception;
  }

  private final ServerSocket server;
  private final Script script;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  ScriptedBackend(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "scripted-backend-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread thread = new Thread(() -> {
          try {
            script.run(socket);
          } catch (Exception e) {
            if (!server.isClosed()) {
              failures.add(e);
            }
          }
        }, "scripted-backend-" + socket.getPort());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      } catch (IOException e) {
        return;
      }
    }
  }


  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
    try {
      acceptor.join(5000);
      for (Thread thread : threads) {
        thread.join(5000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
