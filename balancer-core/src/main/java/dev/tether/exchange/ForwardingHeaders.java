package dev.tether.exchange;

import dev.tether.api.HeaderFields;
import dev.tether.api.HeaderSink;
import dev.tether.api.RequestView;
import dev.tether.client.HopByHop;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The header rules of both legs, written once for every front end.
 *
 * <p>Proxy -> server request: {@code Host} first (RFC 9112 section 3.2), as the client sent it
 * (HTTP/2's {@code :authority} when there is no {@code Host}), as Envoy forwards it; the client's
 * end-to-end fields in their order; hop-by-hop fields (RFC 9110 section 7.6.1: {@code Connection},
 * what it lists, and the fields that are hop-by-hop by definition) dropped; {@code Expect} dropped
 * (the container answers {@code 100-continue} itself, as Envoy does by default); the framing
 * fields left to the transport; every {@code Cookie} joined with {@code "; "} (RFC 9113 section
 * 8.2.3: an HTTP/2 client may split them, HTTP/1.1 allows one); {@code X-Forwarded-For} as Envoy
 * writes it (the values that arrived joined with {@code ","}, empty ones skipped, then
 * {@code ","} and the client's IP); {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} set.
 * An upgrade adds {@code Connection: Upgrade} and the client's {@code Upgrade}.
 *
 * <p>Proxy -> client response: the backend's end-to-end fields in order, hop-by-hop ones dropped;
 * a 101 keeps its {@code Upgrade} and says {@code Connection: Upgrade}.
 *
 * <p>Names are matched without allocating: a request's fields are classified by length and then
 * compared ignoring case; only a name the {@code Connection} field lists makes a lower-case copy.
 */
final class ForwardingHeaders {
  private ForwardingHeaders() {}

  private static final int FORWARD = 0;
  private static final int DROP = 1;
  private static final int COOKIE = 2;
  private static final int FORWARDED_FOR = 3;

  static void request(RequestView clientRequest, boolean upgrade, HeaderSink proxyRequest) {
    String authority = clientRequest.authority();
    if (authority != null) {
      proxyRequest.add("Host", authority);
    }
    HeaderFields fields = clientRequest.fields();
    Set<String> listed = connectionListed(fields);
    StringBuilder cookies = null;
    StringBuilder forwardedFor = null;
    for (int i = 0, n = fields.size(); i < n; i++) {
      String name = fields.name(i);
      switch (requestClass(name, listed)) {
        case FORWARD -> proxyRequest.add(name, fields.value(i));
        case COOKIE -> cookies = join(cookies, "; ", fields.value(i));
        case FORWARDED_FOR -> forwardedFor = join(forwardedFor, ",", fields.value(i));
        default -> { }
      }
    }
    if (cookies != null) {
      proxyRequest.add("Cookie", cookies.toString());
    }
    String clientIp = clientRequest.remoteAddress();
    proxyRequest.add("X-Forwarded-For",
        forwardedFor == null ? clientIp : forwardedFor.append(',').append(clientIp).toString());
    proxyRequest.add("X-Forwarded-Proto", clientRequest.scheme());
    if (authority != null) {
      proxyRequest.add("X-Forwarded-Host", authority);
    }
    if (upgrade) {
      proxyRequest.add("Connection", "Upgrade");
      proxyRequest.add("Upgrade", String.join(", ", clientRequest.headers("upgrade")));
    }
  }

  /**
   * @param upgradeAsked the client's {@code Upgrade} values, used for a 101 that names none
   */
  static void response(HeaderFields serverResponse, boolean switching,
      List<String> upgradeAsked, HeaderSink clientResponse) {
    Set<String> listed = connectionListed(serverResponse);
    String upgrade = null;
    for (int i = 0, n = serverResponse.size(); i < n; i++) {
      String name = serverResponse.name(i);
      if (switching && name.equalsIgnoreCase("upgrade")) {
        upgrade = upgrade == null ? serverResponse.value(i) : upgrade + ", " + serverResponse.value(i);
        continue;
      }
      if (!isHopByHop(name, listed)) {
        clientResponse.add(name, serverResponse.value(i));
      }
    }
    if (switching) {
      clientResponse.set("Connection", "Upgrade");
      clientResponse.set("Upgrade", upgrade != null ? upgrade : String.join(", ", upgradeAsked));
    }
  }

  /**
   * Whether the request asks for a protocol upgrade Tether tunnels: HTTP/1.1, {@code Connection}
   * listing {@code upgrade}, an {@code Upgrade} that is not only {@code h2c}, and no body.
   */
  static boolean isUpgrade(RequestView clientRequest) {
    if (!"HTTP/1.1".equals(clientRequest.protocol())) {
      return false;
    }
    List<String> upgrade = clientRequest.headers("upgrade");
    if (upgrade.isEmpty() || !lists(clientRequest.headers("connection"), "upgrade")) {
      return false;
    }
    boolean other = false;
    for (String value : upgrade) {
      for (String token : value.split(",")) {
        String protocol = token.trim();
        other |= !protocol.isEmpty() && !protocol.equalsIgnoreCase("h2c");
      }
    }
    if (!other || !clientRequest.headers("transfer-encoding").isEmpty()) {
      return false;
    }
    for (String length : clientRequest.headers("content-length")) {
      if (!length.trim().equals("0")) {
        return false;
      }
    }
    return true;
  }

  private static boolean lists(List<String> values, String token) {
    for (String value : values) {
      for (String item : value.split(",")) {
        if (item.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  private static StringBuilder join(StringBuilder joined, String separator, String value) {
    if (value.isEmpty()) {
      return joined;
    }
    if (joined == null) {
      return new StringBuilder(value.length() + 32).append(value);
    }
    return joined.append(separator).append(value);
  }

  /** The names the message's {@code Connection} fields list beyond the fixed hop-by-hop set. */
  private static Set<String> connectionListed(HeaderFields fields) {
    List<String> values = null;
    for (int i = 0, n = fields.size(); i < n; i++) {
      if (fields.name(i).equalsIgnoreCase("connection")) {
        if (values == null) {
          values = new java.util.ArrayList<>(2);
        }
        values.add(fields.value(i));
      }
    }
    return values == null ? Set.of() : HopByHop.connectionListed(values);
  }

  private static int requestClass(String name, Set<String> listed) {
    if (isHopByHop(name, listed)) {
      return DROP;
    }
    switch (name.length()) {
      case 4:
        return name.equalsIgnoreCase("host") ? DROP : FORWARD;
      case 6:
        if (name.equalsIgnoreCase("cookie")) {
          return COOKIE;
        }
        return name.equalsIgnoreCase("expect") ? DROP : FORWARD;
      case 14:
        return name.equalsIgnoreCase("content-length") ? DROP : FORWARD;
      case 15:
        return name.equalsIgnoreCase("x-forwarded-for") ? FORWARDED_FOR : FORWARD;
      case 16:
        return name.equalsIgnoreCase("x-forwarded-host") ? DROP : FORWARD;
      case 17:
        return name.equalsIgnoreCase("x-forwarded-proto") ? DROP : FORWARD;
      default:
        return FORWARD;
    }
  }

  /**
   * {@link HopByHop#isHopByHop} for a name in any case, without a lower-case copy unless the
   * message's {@code Connection} field listed names of its own.
   */
  private static boolean isHopByHop(String name, Set<String> listed) {
    boolean always = switch (name.length()) {
      case 2 -> name.equalsIgnoreCase("te");
      case 7 -> name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("trailer");
      case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 16 -> name.equalsIgnoreCase("proxy-connection");
      case 17 -> name.equalsIgnoreCase("transfer-encoding");
      case 18 -> name.equalsIgnoreCase("proxy-authenticate");
      case 19 -> name.equalsIgnoreCase("proxy-authorization");
      default -> false;
    };
    return always || !listed.isEmpty() && listed.contains(name.toLowerCase(Locale.ROOT));
  }
}
