package dev.tether.core;

import dev.tether.api.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A request for tests, built fluently. */
final class TestRequest implements RequestView {
  private final List<String[]> headers = new ArrayList<>();
  private String method = "GET";
  private String path = "/";
  private String remoteIp = "10.1.1.1";
  private int remotePort = 40000;
  private String localIp = "10.0.0.9";
  private int localPort = 8080;

  static TestRequest get(String path) {
    TestRequest request = new TestRequest();
    request.path = path;
    return request;
  }

  TestRequest header(String name, String value) {
    headers.add(new String[] {name, value});
    return this;
  }

  TestRequest method(String name) {
    method = name;
    return this;
  }

  TestRequest from(String ip, int port) {
    remoteIp = ip;
    remotePort = port;
    return this;
  }

  TestRequest to(String ip, int port) {
    localIp = ip;
    localPort = port;
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
    List<String> values = new ArrayList<>();
    for (String[] h : headers) {
      if (h[0].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        values.add(h[1]);
      }
    }
    return values;
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
