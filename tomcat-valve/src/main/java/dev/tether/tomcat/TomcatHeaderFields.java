package dev.tether.tomcat;

import dev.tether.api.HeaderFields;
import org.apache.tomcat.util.http.MimeHeaders;

/**
 * A client request's header fields as the exchange reads them: Tomcat's own list, every field once
 * in the client's order (the servlet API's names-then-values enumerations would rescan the list
 * per name and regroup repeated fields). Nothing is copied; a value becomes a {@code String} once,
 * cached by Tomcat's {@code MessageBytes}.
 */
final class TomcatHeaderFields implements HeaderFields {
  private final MimeHeaders headers;

  TomcatHeaderFields(MimeHeaders headers) {
    this.headers = headers;
  }

  @Override
  public int size() {
    return headers.size();
  }

  @Override
  public String name(int index) {
    return headers.getName(index).toString();
  }

  @Override
  public String value(int index) {
    return headers.getValue(index).toString();
  }
}
