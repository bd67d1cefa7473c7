package dev.tether.api;

import java.util.List;

/**
 * A read-only view of one client request, as the balancer and the exchange need it. Each
 * container adapts its own request type; the core never sees a servlet or Jetty type.
 */
public interface RequestView {

  /** The request method, for example {@code GET}. */
  String method();

  /** The request target as received: path and query, not decoded, for example {@code /p?q=1}. */
  String pathAndQuery();

  /** Every value of the named header, in arrival order; empty when absent. Case-insensitive. */
  List<String> headers(String name);

  /** Every header field in arrival order, for forwarding. */
  HeaderFields fields();

  /**
   * The authority the client addressed: its {@code Host} header, or HTTP/2's {@code :authority}
   * when it sent no {@code Host}; null when neither.
   */
  String authority();

  /** {@code http} or {@code https}: how the client reached the proxy. */
  String scheme();

  /** The client's protocol as the request line names it: {@code HTTP/1.1}, {@code HTTP/2.0}... */
  String protocol();

  /** The client's IP address (IPv6 without brackets). */
  String remoteAddress();

  /** The client's port. */
  int remotePort();

  /** The local IP address the client connected to (IPv6 without brackets). */
  String localAddress();

  /** The local port the client connected to. */
  int localPort();
}
