package dev.tether.jetty;

import dev.tether.api.HeaderSink;
import org.eclipse.jetty.http.HttpFields;

/**
 * Where the exchange writes the proxy -> server request's fields: the backend request's Jetty
 * fields, as they are, so Jetty's client (or the upgrade relay's generator) frames the body itself.
 */
final class FieldSink implements HeaderSink {
  private final HttpFields.Mutable fields;

  FieldSink(HttpFields.Mutable fields) {
    this.fields = fields;
  }

  @Override
  public void add(String name, String value) {
    fields.add(name, value);
  }

  @Override
  public void set(String name, String value) {
    fields.put(name, value);
  }
}
