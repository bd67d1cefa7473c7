package dev.tether.jetty;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.CyclicTimeouts;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The head timers of every attempt of a {@link BackendPool} (the exchange's request and per-try
 * timeouts), on Jetty's {@link CyclicTimeouts}: one scheduled task at the earliest deadline for
 * all connections waiting on a head, rather than a task scheduled and cancelled per request. With
 * one timeout for every request the earliest deadline rarely changes, so a request normally costs
 * an add to and a remove from a concurrent set; the profile before this put the scheduler's queue
 * (sift up, sift down, waking its thread) at about a tenth of the handler's samples.
 */
final class HeadTimeouts extends CyclicTimeouts<BackendConnection> {
  private final Set<BackendConnection> waiting = ConcurrentHashMap.newKeySet();

  HeadTimeouts(Scheduler scheduler) {
    super(scheduler);
  }

  /** {@code connection} waits for a head until its {@link BackendConnection#getExpireNanoTime}. */
  void awaitHead(BackendConnection connection) {
    waiting.add(connection);
    schedule(connection);
  }

  /** {@code connection} no longer waits for a head. */
  void settled(BackendConnection connection) {
    waiting.remove(connection);
  }

  @Override
  protected Iterator<BackendConnection> iterator() {
    return waiting.iterator();
  }

  @Override
  protected boolean onExpired(BackendConnection connection) {
    connection.headTimedOut();
    return true;
  }
}
