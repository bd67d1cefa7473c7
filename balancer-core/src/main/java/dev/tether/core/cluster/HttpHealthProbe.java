package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP/1.1 health check over a plain socket: {@code GET path} with {@code Connection: close},
 * status line read within the timeout, nothing else of the response. Only 200 passes, as Envoy's
 * default {@code expected_statuses}. A socket keeps the check within one deadline without an HTTP
 * client's threads and connection pool, and on the health-check scheduler's own thread.
 */
final class HttpHealthProbe implements HealthProbe {
  static final String USER_AGENT = "tether-health-check";
  private static final int MAX_STATUS_LINE = 1024;

  @Override
  public Result check(Endpoint endpoint, String path, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), millisLeft(deadline));
      socket.setSoTimeout(millisLeft(deadline));
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + endpoint.address()
          + "\r\nUser-Agent: " + USER_AGENT + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String statusLine = readLine(socket, socket.getInputStream(), deadline);
      return status(statusLine) == 200 ? Result.PASSED : Result.BAD_STATUS;
    } catch (IOException | IllegalArgumentException e) {
      return Result.NETWORK_FAILURE;
    }
  }

  /** The status code of an HTTP/1.x status line, or -1 when it is not one. */
  static int status(String statusLine) {
    if (statusLine == null || !statusLine.startsWith("HTTP/1.") || statusLine.length() < 12
        || statusLine.charAt(8) != ' ') {
      return -1;
    }
    try {
      return Integer.parseInt(statusLine.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String readLine(Socket socket, InputStream in, long deadline) throws IOException {
    StringBuilder line = new StringBuilder();
    while (line.length() < MAX_STATUS_LINE) {
      socket.setSoTimeout(millisLeft(deadline));
      int b = in.read();
      if (b < 0 || b == '\n') {
        break;
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  private static int millisLeft(long deadline) throws IOException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new java.net.SocketTimeoutException("health check timed out");
    }
    return (int) Math.min(Integer.MAX_VALUE, left);
  }
}
