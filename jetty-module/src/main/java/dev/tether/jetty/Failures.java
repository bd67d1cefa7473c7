package dev.tether.jetty;

import dev.tether.api.Failure;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.http.HttpException;

/**
 * Maps what Jetty reports when an attempt at a backend fails onto the exchange's
 * {@link Failure} classes, for the handler, the servlet and the upgrade relay alike.
 *
 * <ul>
 *   <li>The client went away ({@link ClientGone}): {@link Failure#CANCELLED}, whenever it happens.
 *   <li>After the response head was relayed: an idle timeout is {@link Failure#IDLE_TIMEOUT},
 *       anything else {@link Failure#RESET_DURING_BODY}.
 *   <li>Before: Tether's own head timer ({@link HeadTimeout}) and an idle backend are
 *       {@link Failure#TIMEOUT}; a refused, unreachable or timed-out connect is
 *       {@link Failure#CONNECT}; a response head Jetty could not parse is {@link Failure#PROTOCOL};
 *       every other end (EOF, closed, reset) is {@link Failure#RESET}.
 * </ul>
 */
final class Failures {
  private Failures() {}

  /** Why the client leg failed; wraps the container's exception so the cause stays visible. */
  static final class ClientGone extends Exception {
    private static final long serialVersionUID = 1L;

    ClientGone(Throwable cause) {
      super("client gone", cause, false, false);
    }
  }

  /** Tether's head timer ran out: no response head within what the exchange allowed. */
  static final class HeadTimeout extends TimeoutException {
    private static final long serialVersionUID = 1L;
    static final HeadTimeout INSTANCE = new HeadTimeout();

    private HeadTimeout() {
      super("upstream request timeout");
      setStackTrace(new StackTraceElement[0]);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /**
   * @param failure what Jetty reported
   * @param headRelayed whether the backend's response head had been accepted for the client
   */
  static Failure classify(Throwable failure, boolean headRelayed) {
    if (has(failure, ClientGone.class)) {
      return Failure.CANCELLED;
    }
    if (headRelayed) {
      return failure instanceof TimeoutException ? Failure.IDLE_TIMEOUT : Failure.RESET_DURING_BODY;
    }
    if (failure instanceof TimeoutException) {
      return Failure.TIMEOUT;
    }
    if (has(failure, ConnectException.class) || has(failure, SocketTimeoutException.class)
        || has(failure, NoRouteToHostException.class)
        || has(failure, UnresolvedAddressException.class)) {
      return Failure.CONNECT;
    }
    if (failure instanceof HttpResponseException || has(failure, HttpException.class)) {
      return Failure.PROTOCOL;
    }
    return Failure.RESET;
  }

  /** Whether {@code failure} or one of its first causes is a {@code type}. */
  private static boolean has(Throwable failure, Class<?> type) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 8; depth++, cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }
}
