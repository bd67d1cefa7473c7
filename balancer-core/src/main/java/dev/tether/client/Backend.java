package dev.tether.client;

/** Where connections go: a host (an IP literal, or a name the JVM resolves) and a port. */
record Backend(String host, int port) {
  /** The {@code Host} field for a request that brings none: IPv6 literals in brackets. */
  String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
