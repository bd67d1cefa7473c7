package dev.tether.core;

import dev.tether.api.HeaderFields;
import dev.tether.api.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request for tests, with fluent setters: {@code GET} from client 10.1.1.1:40000 to
 * 10.0.0.9:8080 unless told otherwise. Public for the tests of every package of the core.
 */
public final class TestRequest implements RequestView {
  private final List<String[]> headers = new ArrayList<>();
  private String method = "GET";
  private String path = "/";
  private String remoteIp = "10.1.1.1";
  private int remotePort = 40000;
  private String localIp = "10.0.0.9";
  private int localPort = 8080;

  private TestRequest() {}

  public static TestRequest get(String path) {
    TestRequest request = new TestRequest();
    request.path = path;
    return request;
  }

  public TestRequest header(String name, String value) {
    headers.add(new String[] {name, value});
    return this;
  }

  public TestRequest method(String name) {
    this.method = name;
    return this;
  }

  public TestRequest from(String ip, int port) {
    this.remoteIp = ip;
    this.remotePort = port;
    return this;
  }

  public TestRequest to(String ip, int port) {
    this.localIp = ip;
    this.localPort = port;
    return this;
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
    String wanted = name.toLowerCase(Locale.ROOT);
    List<String> values = new ArrayList<>();
    for (String[] header : headers) {
      if (header[0].toLowerCase(Locale.ROOT).equals(wanted)) {
        values.add(header[1]);
      }
    }
    return values;
  }

  @Override
  public HeaderFields fields() {
    return new HeaderFields() {
      @Override
      public int size() {
        return headers.size();
      }

      @Override
      public String name(int index) {
        return headers.get(index)[0];
      }

      @Override
      public String value(int index) {
        return headers.get(index)[1];
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
    return remoteIp;
  }

  @Override
  public int remotePort() {
    return remotePort;
  }

  @Override
  public String localAddress() {
    return localIp;
  }

  @Override
  public int localPort() {
    return localPort;
  }
}
