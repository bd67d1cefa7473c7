package dev.tether.api;

/**
 * Where the exchange writes the header fields of a message it asks the front end to send: the
 * proxy -> server request or the proxy -> client response. The front end maps them onto its
 * container's own types (a field it must frame itself, such as {@code Content-Length}, it may
 * translate into the container's call for it).
 */
public interface HeaderSink {
  /** Adds a field beside any of the same name. */
  void add(String name, String value);

  /** Sets a field, replacing any of the same name written before or preset by the container. */
  void set(String name, String value);
}
