package dev.tether.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The smallest stub proxy the JDK makes: every connection relayed byte for byte to one backend,
 * each direction on its own thread, an EOF passed on as a half-close. It lets the helpers' tests
 * run the raw client and the backends with something in between, as the contract does.
 */
final class TcpRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  TcpRelay(int target) throws IOException {
    this.target = target;
    listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    start("relay-acceptor", this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing.
    }
    open.forEach(SocketServer::closeQuietly);
  }

  private void accept() {
    while (true) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(client);
        open.add(server);
        start("relay-up", () -> pipe(client, server));
        start("relay-down", () -> pipe(server, client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
      if (from.isOutputShutdown()) {
        SocketServer.closeQuietly(from);
        SocketServer.closeQuietly(to);
      }
    } catch (IOException e) {
      SocketServer.closeQuietly(from);
      SocketServer.closeQuietly(to);
    }
  }

  private static void start(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }
}
