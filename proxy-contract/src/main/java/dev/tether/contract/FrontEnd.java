package dev.tether.contract;

/**
 * A running Tether front end under test, listening on 127.0.0.1: what
 * {@link ProxyContract#start} returns. {@link #close()} stops it and releases everything it
 * holds (its server, its balancer and the balancer's JMX beans).
 */
public interface FrontEnd extends AutoCloseable {
  /** The port it listens on, on 127.0.0.1. */
  int port();

  /** Stops the front end; must not throw. */
  @Override
  void close();

  /**
   * A front end listening on {@code port} that {@code stop} stops, so a subclass of
   * {@link ProxyContract} can end with {@code return FrontEnd.of(connector.getLocalPort(),
   * server::stop);}. A failure to stop is rethrown unchecked.
   */
  static FrontEnd of(int port, AutoCloseable stop) {
    return new FrontEnd() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() {
        try {
          stop.close();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("cannot stop the front end on port " + port, e);
        }
      }

      @Override
      public String toString() {
        return "front end on 127.0.0.1:" + port;
      }
    };
  }
}
