package dev.tether.core;

import dev.tether.api.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A request described on the command line, for {@code tether pick}. */
final class CliRequest implements RequestView {
  private final List<String[]> headers = new ArrayList<>();
  private String path = "/";
  private String remoteIp = "127.0.0.1";
  private int remotePort = 40000;
  private String localIp = "127.0.0.1";
  private int localPort = 8080;

  void header(String name, String value) {
    headers.add(new String[] {name, value});
  }

  void path(String path) {
    this.path = path;
  }

  void remote(String ip, int port) {
    this.remoteIp = ip;
    this.remotePort = port;
  }

  void local(String ip, int port) {
    this.localIp = ip;
    this.localPort = port;
  }

  @Override
  public String method() {
    return "GET";
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
