package dev.tether.demo;

import java.io.IOException;

/**
 * A port the demo needs is taken. Its message is the one line the user sees: which port, for
 * what, and which option moves it.
 */
final class PortInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  PortInUseException(String host, int port, String what, String option, Throwable cause) {
    super("port " + port + " on " + host + " is already in use (" + what + "); choose another with "
        + option + ", or " + option + " 0 for a free one", cause);
  }

  /** Whether {@code failure} or one of its causes is a failed bind. */
  static boolean isBindFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
