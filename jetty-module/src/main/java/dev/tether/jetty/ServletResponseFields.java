package dev.tether.jetty;

import jakarta.servlet.http.HttpServletResponse;

/** The proxy -> client response's fields on a servlet response ({@link TetherProxyServlet}). */
final class ServletResponseFields extends PresetReplacingSink {
  private final HttpServletResponse response;

  ServletResponseFields(HttpServletResponse response) {
    super(response.getHeaderNames().toArray(new String[0]));
    this.response = response;
  }

  @Override
  void replace(String name, String value) {
    response.setHeader(name, value);
  }

  @Override
  void append(String name, String value) {
    response.addHeader(name, value);
  }
}
