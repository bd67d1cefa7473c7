package dev.tether.core;

/**
 * A request for tests: the CLI's request with fluent setters, from client 10.1.1.1:40000 to
 * 10.0.0.9:8080 unless told otherwise.
 */
final class TestRequest extends CliRequest {

  static TestRequest get(String path) {
    TestRequest request = new TestRequest();
    request.path(path);
    request.remote("10.1.1.1", 40000);
    request.local("10.0.0.9", 8080);
    return request;
  }

  @Override
  TestRequest header(String name, String value) {
    super.header(name, value);
    return this;
  }

  @Override
  TestRequest method(String name) {
    super.method(name);
    return this;
  }

  TestRequest from(String ip, int port) {
    remote(ip, port);
    return this;
  }

  TestRequest to(String ip, int port) {
    local(ip, port);
    return this;
  }
}
