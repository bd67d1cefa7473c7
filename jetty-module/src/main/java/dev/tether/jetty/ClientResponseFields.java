package dev.tether.jetty;

import org.eclipse.jetty.http.HttpFields;

/** The proxy -> client response's fields on a Jetty core response (handler and relay). */
final class ClientResponseFields extends PresetReplacingSink {
  private final HttpFields.Mutable fields;

  ClientResponseFields(HttpFields.Mutable fields) {
    super(names(fields));
    this.fields = fields;
  }

  private static String[] names(HttpFields fields) {
    String[] names = new String[fields.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = fields.getField(i).getName();
    }
    return names;
  }

  @Override
  void replace(String name, String value) {
    fields.put(name, value);
  }

  @Override
  void append(String name, String value) {
    fields.add(name, value);
  }
}
