package dev.tether.jetty;

import dev.tether.api.HeaderSink;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

/**
 * Where the exchange writes the proxy -> client response's fields on a Jetty core response. Jetty
 * presets some fields ({@code Date}, {@code Server}); the first field of such a name that the
 * exchange adds replaces Jetty's, and later ones are added beside it, so a backend's own
 * {@code Date} reaches the client once and repeated fields such as {@code Set-Cookie} all pass.
 */
final class ClientResponseFields implements HeaderSink {
  private final HttpFields.Mutable fields;
  /** Jetty's preset fields not replaced yet; usually one or two. */
  private final HttpField[] preset;

  ClientResponseFields(HttpFields.Mutable fields) {
    this.fields = fields;
    int size = fields.size();
    HttpField[] preset = new HttpField[size];
    for (int i = 0; i < size; i++) {
      preset[i] = fields.getField(i);
    }
    this.preset = preset;
  }

  @Override
  public void add(String name, String value) {
    for (int i = 0; i < preset.length; i++) {
      HttpField jettys = preset[i];
      if (jettys != null && jettys.is(name)) {
        clearPreset(name);
        fields.put(name, value);
        return;
      }
    }
    fields.add(name, value);
  }

  @Override
  public void set(String name, String value) {
    clearPreset(name);
    fields.put(name, value);
  }

  private void clearPreset(String name) {
    for (int i = 0; i < preset.length; i++) {
      if (preset[i] != null && preset[i].is(name)) {
        preset[i] = null;
      }
    }
  }
}
