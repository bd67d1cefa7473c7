package dev.tether.tomcat;

import dev.tether.api.HeaderSink;
import org.apache.catalina.connector.Response;

/**
 * The proxy -> client response's fields as the exchange writes them, mapped onto Tomcat's
 * response. {@code Content-Type} goes to the content type verbatim (the first one; Tomcat's
 * {@code setContentType} would re-serialize a charset parameter), {@code Content-Length} is left
 * to the relay, which declares the length from the body's framing (a chunked body stays chunked
 * whatever length field came with it); every other field is added, or set, as it is.
 */
final class ClientResponseHeaders implements HeaderSink {
  private final Response clientResponse;
  private boolean contentType;

  ClientResponseHeaders(Response clientResponse) {
    this.clientResponse = clientResponse;
  }

  @Override
  public void add(String name, String value) {
    if (!framing(name, value, false)) {
      clientResponse.addHeader(name, value);
    }
  }

  @Override
  public void set(String name, String value) {
    if (!framing(name, value, true)) {
      clientResponse.setHeader(name, value);
    }
  }

  /** Handles the two fields Tomcat keeps apart from its header list; true when it was one. */
  private boolean framing(String name, String value, boolean replace) {
    if (name.length() == 12 && name.equalsIgnoreCase("content-type")) {
      if (replace || !contentType) {
        clientResponse.getCoyoteResponse().setContentTypeNoCharset(value);
        contentType = true;
      }
      return true;
    }
    return name.length() == 14 && name.equalsIgnoreCase("content-length");
  }
}
