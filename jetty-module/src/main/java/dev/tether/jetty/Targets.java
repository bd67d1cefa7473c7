package dev.tether.jetty;

import org.eclipse.jetty.server.Request;

/** The request target as a backend receives it: path and query exactly as the client sent them. */
final class Targets {
  private Targets() {}

  /** The client's path and query, still percent-encoded; {@code /} for an empty one. */
  static String pathAndQuery(Request clientRequest) {
    // HttpURI keeps the path as received (still percent-encoded) and the raw query.
    String pathQuery = clientRequest.getHttpURI().getPathQuery();
    return pathQuery == null || pathQuery.isEmpty() ? "/" : pathQuery;
  }
}
