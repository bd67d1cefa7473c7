package dev.tether.jetty;

import dev.tether.api.HeaderSink;

/**
 * A proxy -> client response's fields on a container response that presets some of its own
 * ({@code Date}, {@code Server}): the first field of such a name that the exchange adds replaces
 * the container's, and later ones are added beside it, so a backend's own {@code Date} reaches
 * the client once and repeated fields such as {@code Set-Cookie} all pass. The two subclasses map
 * the writes onto a core response and a servlet response.
 */
abstract class PresetReplacingSink implements HeaderSink {
  /** The container's preset names not replaced yet; usually one or two. */
  private final String[] preset;

  PresetReplacingSink(String[] preset) {
    this.preset = preset;
  }

  /** Writes {@code name: value}, replacing every field of that name. */
  abstract void replace(String name, String value);

  /** Writes {@code name: value} beside any field of that name. */
  abstract void append(String name, String value);

  @Override
  public final void add(String name, String value) {
    if (takePreset(name)) {
      replace(name, value);
    } else {
      append(name, value);
    }
  }

  @Override
  public final void set(String name, String value) {
    takePreset(name);
    replace(name, value);
  }

  private boolean takePreset(String name) {
    boolean taken = false;
    for (int i = 0; i < preset.length; i++) {
      if (preset[i] != null && preset[i].equalsIgnoreCase(name)) {
        preset[i] = null;
        taken = true;
      }
    }
    return taken;
  }
}
