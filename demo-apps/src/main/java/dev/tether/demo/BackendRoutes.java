package dev.tether.demo;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The backend's HTTP routes (see {@link Backend} for the list). Nothing here blocks a thread:
 * waits go to Jetty's scheduler and bodies are copied as they arrive, so the handler declares
 * itself non-blocking and Jetty runs it on the selector's thread when it can.
 */
final class BackendRoutes extends Handler.Abstract.NonBlocking {

  /** The WebSocket echo's path; a request there without an upgrade gets 426. */
  static final String ECHO_PATH = "/echo";

  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";

  private final String name;
  private final String version;

  BackendRoutes(String name, String version) {
    this.name = name;
    this.version = version;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    String method = request.getMethod();
    if (path.equals("/anything") || path.startsWith("/anything/")) {
      anything(request, response, callback);
    } else if (path.equals("/reset")) {
      reset(request, callback);
    } else if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      send(response, callback, 405, TEXT, "method not allowed\n");
    } else if (path.equals("/hello")) {
      send(response, callback, 200, TEXT, "Hello version: " + version + ", instance: " + name + "\n");
    } else if (path.equals("/health")) {
      send(response, callback, 200, TEXT, "ok");
    } else if (path.equals("/headers")) {
      send(response, callback, 200, JSON, Json.object("headers", headers(request.getHeaders())));
    } else if (path.equals("/cookies")) {
      send(response, callback, 200, JSON, Json.object("cookies", cookies(request.getHeaders())));
    } else if (path.startsWith("/status/")) {
      status(response, callback, path.substring("/status/".length()));
    } else if (path.startsWith("/delay/")) {
      delay(request, response, callback, path.substring("/delay/".length()));
    } else if (path.startsWith("/stall/")) {
      stall(request, response, callback, path.substring("/stall/".length()));
    } else if (path.equals(ECHO_PATH)) {
      // RFC 9110 section 15.5.22: a 426 names the protocol to upgrade to.
      response.getHeaders().put(HttpHeader.UPGRADE, "websocket");
      send(response, callback, 426, TEXT, "upgrade required: GET " + ECHO_PATH
          + " with Connection: Upgrade and Upgrade: websocket\n");
    } else {
      send(response, callback, 404, TEXT, "not found: " + path + "\n");
    }
    return true;
  }

  private static void status(Response response, Callback callback, String code) {
    int status = parseStatus(code);
    if (status < 200 || status > 599) {
      send(response, callback, 400, TEXT, "status: " + code + " (expected: 200 to 599)\n");
      return;
    }
    response.setStatus(status);
    callback.succeeded();
  }

  private static int parseStatus(String code) {
    try {
      return Integer.parseInt(code);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void delay(Request request, Response response, Callback callback,
      String seconds) {
    double granted = seconds(response, callback, "delay", seconds);
    if (Double.isNaN(granted)) {
      return;
    }
    later(request, granted, () ->
        send(response, callback, 200, JSON, "{\n  \"delay\": " + granted + "\n}\n"));
  }

  /**
   * The head and the first line now, the second line after the pause: a response that is open
   * and silent, as a proxy's idle timeout sees a stuck backend. The full length is announced,
   * so a client that was cut off can tell.
   */
  private void stall(Request request, Response response, Callback callback, String seconds) {
    double granted = seconds(response, callback, "stall", seconds);
    if (Double.isNaN(granted)) {
      return;
    }
    byte[] first = (name + " stalls\n").getBytes(StandardCharsets.UTF_8);
    byte[] second = (name + " resumes\n").getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, TEXT);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, first.length + second.length);
    response.write(false, ByteBuffer.wrap(first), Callback.from(
        () -> later(request, granted, () -> response.write(true, ByteBuffer.wrap(second), callback)),
        callback::failed));
  }

  /** The seconds asked for, capped; NaN after answering 400 to anything but seconds >= 0. */
  private static double seconds(Response response, Callback callback, String route,
      String seconds) {
    double requested;
    try {
      requested = Double.parseDouble(seconds);
    } catch (NumberFormatException e) {
      requested = Double.NaN;
    }
    if (!(requested >= 0)) {
      send(response, callback, 400, TEXT, route + ": " + seconds + " (expected: seconds >= 0)\n");
      return Double.NaN;
    }
    return Math.min(requested, Backend.MAX_DELAY_SECONDS);
  }

  /** Runs {@code task} after {@code seconds} on Jetty's scheduler; the delay is the feature. */
  private static void later(Request request, double seconds, Runnable task) {
    request.getComponents().getScheduler()
        .schedule(task, Math.round(seconds * 1000), TimeUnit.MILLISECONDS);
  }

  /**
   * Streams the request body back with the same content type: a fixed length when the client
   * sent one, chunked otherwise, never the whole body in memory.
   */
  private static void anything(Request request, Response response, Callback callback) {
    String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (contentType != null) {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    }
    long length = request.getLength();
    response.setStatus(200);
    if (length >= 0) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    }
    if (HttpMethod.HEAD.is(request.getMethod()) || length == 0) {
      callback.succeeded();
      return;
    }
    Content.copy(request, response, callback);
  }

  /**
   * Resets the client's connection with no response at all: SO_LINGER 0 turns the close into a
   * TCP RST, the way a crashed process or a killed pod ends a connection mid-request.
   */
  private static void reset(Request request, Callback callback) {
    EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
    if (endPoint.getTransport() instanceof SocketChannel channel) {
      try {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
      } catch (IOException e) {
        // Still closed below, with a FIN instead of a RST: a reset to the proxy all the same.
      }
    }
    endPoint.close();
    // Done as far as this route goes; Jetty's attempt to complete the response meets the closed
    // connection and sends nothing.
    callback.succeeded();
  }

  /** Header names in their usual capitalisation ({@code X-Forwarded-For}), values joined by ','. */
  static Map<String, String> headers(HttpFields request) {
    Map<String, StringBuilder> joined = new LinkedHashMap<>();
    for (HttpField field : request) {
      StringBuilder values = joined.get(capitalise(field.getName()));
      if (values == null) {
        joined.put(capitalise(field.getName()), new StringBuilder(field.getValue()));
      } else {
        values.append(',').append(field.getValue());
      }
    }
    Map<String, String> headers = new TreeMap<>();
    joined.forEach((header, values) -> headers.put(header, values.toString()));
    return headers;
  }

  private static String capitalise(String name) {
    char[] chars = name.toLowerCase(Locale.ROOT).toCharArray();
    boolean start = true;
    for (int i = 0; i < chars.length; i++) {
      if (start) {
        chars[i] = Character.toUpperCase(chars[i]);
      }
      start = chars[i] == '-';
    }
    return new String(chars);
  }

  /** Every {@code name=value} pair of every Cookie header; the first of a repeated name wins. */
  static Map<String, String> cookies(HttpFields request) {
    Map<String, String> cookies = new TreeMap<>();
    for (String header : request.getValuesList(HttpHeader.COOKIE)) {
      for (String pair : header.split(";")) {
        int equals = pair.indexOf('=');
        if (equals > 0) {
          cookies.putIfAbsent(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
      }
    }
    return cookies;
  }

  /** A whole response: status, content type, a fixed length and the UTF-8 body (none for HEAD). */
  private static void send(Response response, Callback callback, int status, String contentType,
      String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }
}
