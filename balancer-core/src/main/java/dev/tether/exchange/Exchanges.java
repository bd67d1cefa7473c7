package dev.tether.exchange;

import dev.tether.api.Balancer;
import dev.tether.api.Proxy;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The front door to the exchange every front end shares: the Jetty handler, the Jetty servlet and
 * the Tomcat valve each get a {@link Proxy} here and open one exchange per client request, so the
 * attempt loop, retries, timeouts, header rules and local replies exist once.
 */
public final class Exchanges {
  private Exchanges() {}

  /** A proxy over {@code balancer}, timed by {@link System#nanoTime()}. */
  public static Proxy proxy(Balancer balancer) {
    return proxy(balancer, System::nanoTime);
  }

  /** A proxy over {@code balancer} on an injected monotonic clock in nanoseconds (tests). */
  public static Proxy proxy(Balancer balancer, LongSupplier nanoTime) {
    return new DefaultProxy(Objects.requireNonNull(balancer, "balancer"),
        Objects.requireNonNull(nanoTime, "nanoTime"));
  }
}
