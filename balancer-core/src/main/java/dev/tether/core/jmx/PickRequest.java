package dev.tether.core.jmx;

import dev.tether.api.HeaderFields;
import dev.tether.api.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request described by the arguments of {@link TetherBalancerMXBean#pick}: JMX carries only open
 * types, so the header fields arrive as {@code Name: value} lines and are split here once.
 */
final class PickRequest implements RequestView {
  private final String method;
  private final String pathAndQuery;
  private final String[] names;
  private final String[] values;
  private final String remoteAddress;
  private final int remotePort;
  private final String localAddress;
  private final int localPort;

  PickRequest(String method, String pathAndQuery, String[] headers, String remoteAddress,
      int remotePort, String localAddress, int localPort) {
    this.method = method == null || method.isEmpty() ? "GET" : method;
    this.pathAndQuery = pathAndQuery == null || pathAndQuery.isEmpty() ? "/" : pathAndQuery;
    String[] lines = headers == null ? new String[0] : headers;
    this.names = new String[lines.length];
    this.values = new String[lines.length];
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int colon = line == null ? -1 : line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "headers[" + i + "]: " + line + " (expected: 'Name: value')");
      }
      names[i] = line.substring(0, colon).trim();
      values[i] = line.substring(colon + 1).trim();
    }
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.localAddress = localAddress;
    this.localPort = localPort;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String pathAndQuery() {
    return pathAndQuery;
  }

  @Override
  public List<String> headers(String name) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if (names[i].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        found.add(values[i]);
      }
    }
    return found;
  }

  @Override
  public HeaderFields fields() {
    return new HeaderFields() {
      @Override
      public int size() {
        return names.length;
      }

      @Override
      public String name(int index) {
        return names[index];
      }

      @Override
      public String value(int index) {
        return values[index];
      }
    };
  }

  @Override
  public String authority() {
    List<String> host = headers("host");
    return host.isEmpty() ? null : host.get(0);
  }

  @Override
  public String scheme() {
    return "http";
  }

  @Override
  public String protocol() {
    return "HTTP/1.1";
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public int remotePort() {
    return remotePort;
  }

  @Override
  public String localAddress() {
    return localAddress;
  }

  @Override
  public int localPort() {
    return localPort;
  }
}
