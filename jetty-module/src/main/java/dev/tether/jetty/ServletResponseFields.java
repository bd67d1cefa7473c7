package dev.tether.jetty;

import dev.tether.api.HeaderSink;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the exchange writes the proxy -> client response's fields on a servlet response: as
 * {@link ClientResponseFields} does on a core response, the first field of a name the container
 * preset ({@code Date}, {@code Server}) replaces it and the others are added.
 */
final class ServletResponseFields implements HeaderSink {
  private final HttpServletResponse response;
  private final List<String> preset;

  ServletResponseFields(HttpServletResponse response) {
    this.response = response;
    this.preset = new ArrayList<>(response.getHeaderNames());
  }

  @Override
  public void add(String name, String value) {
    if (takePreset(name)) {
      response.setHeader(name, value);
    } else {
      response.addHeader(name, value);
    }
  }

  @Override
  public void set(String name, String value) {
    takePreset(name);
    response.setHeader(name, value);
  }

  private boolean takePreset(String name) {
    for (int i = 0, n = preset.size(); i < n; i++) {
      if (preset.get(i).equalsIgnoreCase(name)) {
        preset.remove(i);
        return true;
      }
    }
    return false;
  }
}
