package dev.tether.jetty;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/** The proxy -> client response's fields on a Jetty core response (handler and relay). */
final class ClientResponseFields extends PresetReplacingSink {
  private final HttpFields.Mutable fields;

  ClientResponseFields(HttpFields.Mutable fields) {
    super(names(fields));
    this.fields = fields;
  }

  /**
   * One pass over the fields: a core response's fields are a wrapper whose {@code getField(int)}
   * walks a new iterator from the start on every call (in the load benchmark's profile, the
   * largest allocation of the relay).
   */
  private static String[] names(HttpFields fields) {
    String[] names = new String[fields.size()];
    int i = 0;
    for (HttpField field : fields) {
      if (i == names.length) {
        break;
      }
      names[i++] = field.getName();
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
