package dev.tether.jetty;

/**
 * The hand-off between a backend connection's parse loop and the write of one response body
 * chunk to the client, for the relay's {@link BackendConnection} and the upgrade relay's
 * {@link UpgradeAttempt}: the parser hands a slice of the read buffer on and stops; the loop goes
 * on at once if the write has completed meanwhile, else it returns and the write's callback
 * resumes it. So one chunk is in flight, the client's pace holds back the backend, and the buffer
 * is never refilled under a pending write.
 *
 * <p>Not thread-safe by itself: every method is called holding the owning connection's lock, so
 * that its own state (phase, parsing) and this one change together.
 */
final class ChunkInFlight {
  /** A chunk's write to the client is pending. */
  private boolean writing;
  /** That write completed before the parse loop stopped for it: the loop goes on. */
  private boolean written;
  /** The parse loop stopped for that write: its callback resumes parsing. */
  private boolean waiting;

  /** A chunk's write is about to start. */
  void started() {
    writing = true;
    written = false;
  }

  /**
   * The parser stopped after handing a chunk on: true to go on parsing at once (its write already
   * completed), false to leave the loop (then {@link #completed} tells the callback to resume it).
   */
  boolean resumeNow() {
    if (!writing) {
      return false;
    }
    if (written) {
      writing = false;
      written = false;
      return true;
    }
    waiting = true;
    return false;
  }

  /** The write completed: true when the parse loop stopped for it and must be resumed now. */
  boolean completed() {
    if (!waiting) {
      written = true;
      return false;
    }
    waiting = false;
    writing = false;
    return true;
  }

  /** The write failed: nothing is in flight any more. */
  void failed() {
    waiting = false;
    writing = false;
  }

  /** Whether a write still holds a slice of the buffer. */
  boolean pending() {
    return writing;
  }
}
