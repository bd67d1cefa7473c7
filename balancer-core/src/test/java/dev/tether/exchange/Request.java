package dev.tether.exchange;

import dev.tether.api.HeaderFields;
import dev.tether.api.RequestView;
import java.util.ArrayList;
import java.util.List;

/** A client request for exchange tests: HTTP/1.1 from 10.1.1.1:40000 to 10.0.0.9:8080. */
final class Request implements RequestView {
  private final List<String[]> fields = new ArrayList<>();
  private String method = "GET";
  private String path = "/";
  private String protocol = "HTTP/1.1";
  private String scheme = "http";

  static Request get(String path) {
    Request request = new Request();
    request.path = path;
    return request;
  }

  static Request method(String method) {
    Request request = new Request();
    request.method = method;
    return request;
  }

  Request header(String name, String value) {
    fields.add(new String[] {name, value});
    return this;
  }

  Request protocol(String protocol) {
    this.protocol = protocol;
    return this;
  }

  Request scheme(String scheme) {
    this.scheme = scheme;
    return this;
  }

  /** {@code Connection: Upgrade} and {@code Upgrade: websocket}, as a browser sends them. */
  Request websocket() {
    return header("Connection", "Upgrade").header("Upgrade", "websocket")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("Sec-WebSocket-Version", "13");
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String pathAndQuery() {
    return path;
  }

  @Override
  public List<String> headers(String name) {
    List<String> values = new ArrayList<>();
    for (String[] field : fields) {
      if (field[0].equalsIgnoreCase(name)) {
        values.add(field[1]);
      }
    }
    return values;
  }

  @Override
  public HeaderFields fields() {
    return new HeaderFields() {
      @Override
      public int size() {
        return fields.size();
      }

      @Override
      public String name(int index) {
        return fields.get(index)[0];
      }

      @Override
      public String value(int index) {
        return fields.get(index)[1];
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
    return scheme;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public String remoteAddress() {
    return "10.1.1.1";
  }

  @Override
  public int remotePort() {
    return 40000;
  }

  @Override
  public String localAddress() {
    return "10.0.0.9";
  }

  @Override
  public int localPort() {
    return 8080;
  }
}
