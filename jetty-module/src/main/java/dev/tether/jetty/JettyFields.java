package dev.tether.jetty;

import dev.tether.api.HeaderFields;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/** Jetty's header fields (a client request's, a backend response's) as the exchange reads them. */
final class JettyFields implements HeaderFields {
  private final HttpFields fields;

  JettyFields(HttpFields fields) {
    this.fields = fields;
  }

  @Override
  public int size() {
    return fields.size();
  }

  @Override
  public String name(int index) {
    return fields.getField(index).getName();
  }

  @Override
  public String value(int index) {
    String value = fields.getField(index).getValue();
    return value == null ? "" : value;
  }

  /** The field at {@code index}, for callers that iterate by index. */
  HttpField field(int index) {
    return fields.getField(index);
  }
}
