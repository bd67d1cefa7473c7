package dev.tether.exchange;

import dev.tether.api.ConnectionPool;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The circuit-breaking limits of one proxy ({@link ConnectionPool}), as Envoy's cluster resource
 * manager keeps them: connection slots (with HTTP/1.1, one per request in progress), a FIFO queue
 * of requests waiting for one, and retry slots.
 *
 * <p>A slot freed while requests wait is handed straight to the oldest of them, so the count of
 * slots in use never drops and rises again between two requests (a newcomer cannot overtake the
 * queue). The hand-over calls {@link Waiter#admitted} on the releasing thread, after this
 * object's lock is released; nothing is called under it.
 *
 * <p>Without a connection limit (Istio's default) admission takes no lock and counts nothing;
 * without a retry limit, neither do retries.
 */
final class CircuitBreaker {
  /** A request in the pending queue. */
  interface Waiter {
    /** A connection slot is now this waiter's: it must use it, or give it back. */
    void admitted();
  }

  /** What {@link #admit} decided. */
  enum Admission {
    /** A connection slot is the caller's until {@link #release}. */
    ADMITTED,
    /** Every slot is taken: the caller waits for {@link Waiter#admitted} or withdraws. */
    QUEUED,
    /** Every slot is taken and the queue is full: answer overflow. */
    OVERFLOW
  }

  private final long maxConnections;
  private final long maxPending;
  private final long maxRetries;
  private final boolean countConnections;
  private final boolean countRetries;
  private final LinkedHashSet<Waiter> pending = new LinkedHashSet<>();
  private long active;
  private long retries;

  CircuitBreaker(ConnectionPool pool) {
    this.maxConnections = pool.maxConnections();
    this.maxPending = pool.maxPendingRequests();
    this.maxRetries = pool.maxRetries();
    this.countConnections = pool.maxConnections() != ConnectionPool.UNLIMITED;
    this.countRetries = pool.maxRetries() != ConnectionPool.UNLIMITED;
  }

  /** Takes a connection slot for {@code waiter}, queues it, or refuses it. */
  Admission admit(Waiter waiter) {
    if (!countConnections) {
      return Admission.ADMITTED;
    }
    synchronized (this) {
      if (active < maxConnections) {
        active++;
        return Admission.ADMITTED;
      }
      if (pending.size() < maxPending) {
        pending.add(waiter);
        return Admission.QUEUED;
      }
      return Admission.OVERFLOW;
    }
  }

  /** Gives a connection slot back: to the oldest waiter when there is one. */
  void release() {
    if (!countConnections) {
      return;
    }
    Waiter next = null;
    synchronized (this) {
      Iterator<Waiter> oldest = pending.iterator();
      if (oldest.hasNext()) {
        next = oldest.next();
        oldest.remove();
      } else {
        active--;
      }
    }
    if (next != null) {
      next.admitted();
    }
  }

  /**
   * Takes {@code waiter} out of the queue (its wait ran out, or its client left). False when it
   * is no longer queued: a slot was handed to it, and its {@link Waiter#admitted} call is on its
   * way, so the slot must then be used or released.
   */
  synchronized boolean withdraw(Waiter waiter) {
    return pending.remove(waiter);
  }

  /** Takes a retry slot, until {@link #retryEnded}; false when every one is taken. */
  boolean tryRetry() {
    if (!countRetries) {
      return true;
    }
    synchronized (this) {
      if (retries < maxRetries) {
        retries++;
        return true;
      }
      return false;
    }
  }

  /** Gives back a slot {@link #tryRetry} took. */
  void retryEnded() {
    if (!countRetries) {
      return;
    }
    synchronized (this) {
      retries--;
    }
  }

  /** Connection slots in use now (0 without a connection limit). */
  synchronized long active() {
    return active;
  }

  /** Requests waiting now. */
  synchronized int pending() {
    return pending.size();
  }

  /** Retry slots in use now (0 without a retry limit). */
  synchronized long retries() {
    return retries;
  }
}
