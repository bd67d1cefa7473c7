package dev.tether.jetty;

import dev.tether.api.Exchange;
import dev.tether.api.Exchange.Step;
import java.util.function.Consumer;

/**
 * The first step of an exchange on a Jetty thread that must not wait for it: circuit breaking
 * may queue the request ({@code tcp.maxConnections}, {@code http.http1MaxPendingRequests}), and
 * a queued request must not hold one of Jetty's threads. {@link #start} asks the exchange
 * without waiting ({@link Exchange#start(Consumer)}); when the answer is not there at once, the
 * caller returns its thread and says with {@link #later} what to do once it comes, whichever
 * comes first, the answer or the call to {@code later}.
 */
final class Admission implements Consumer<Step> {
  private final Exchange exchange;
  private Step step;
  private Consumer<Step> later;

  private Admission(Exchange exchange) {
    this.exchange = exchange;
  }

  /** Starts {@code exchange}; see {@link #now()}. */
  static Admission start(Exchange exchange) {
    Admission admission = new Admission(exchange);
    exchange.start(admission);
    return admission;
  }

  /** The exchange this admits. */
  Exchange exchange() {
    return exchange;
  }

  /** The first step if it came at once (nearly always), else null: the request is queued. */
  synchronized Step now() {
    return step;
  }

  /**
   * What to do with the first step of a queued request: called on the thread that gave the step
   * (a thread that freed a slot, or Tether's pending timer), so {@code next} hands the work to
   * Jetty's executor; called at once here if the step came meanwhile.
   */
  void later(Consumer<Step> next) {
    Step came;
    synchronized (this) {
      came = step;
      if (came == null) {
        later = next;
        return;
      }
    }
    next.accept(came);
  }

  @Override
  public void accept(Step first) {
    Consumer<Step> next;
    synchronized (this) {
      step = first;
      next = later;
    }
    if (next != null) {
      next.accept(first);
    }
  }
}
