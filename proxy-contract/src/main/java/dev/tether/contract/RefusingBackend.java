package dev.tether.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

/**
 * An endpoint address where nobody listens, so a connect is refused at once. The port is held
 * by a socket that is bound but never listens (the kernel answers a SYN to it with a reset), so
 * no other process can take the port while a scenario relies on it being refused, which a port
 * picked and then freed would not guarantee.
 */
final class RefusingBackend implements Backend {
  private final String name;
  private final Socket holder = new Socket();

  private RefusingBackend(String name) {
    this.name = name;
    try {
      holder.setReuseAddress(false);
      holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve a port on 127.0.0.1", e);
    }
  }

  static RefusingBackend start(String name) {
    return new RefusingBackend(name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int port() {
    return holder.getLocalPort();
  }

  @Override
  public List<ReceivedRequest> requests() {
    return List.of();
  }

  @Override
  public int connectionsAccepted() {
    return 0;
  }

  @Override
  public int busyConnections() {
    return 0;
  }

  @Override
  public void close() {
    SocketServer.closeQuietly(holder);
  }

  @Override
  public String toString() {
    return "RefusingBackend " + name + " at " + address();
  }
}
