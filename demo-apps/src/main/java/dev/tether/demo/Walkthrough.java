package dev.tether.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The text the demo prints once it is up: what runs where, and the curl commands of the
 * walkthroughs with what to expect. Built from the running demo, so ports are the real ones.
 */
final class Walkthrough {

  private Walkthrough() {}

  static String render(RunningDemo demo) {
    String host = demo.settings().host();
    String jetty = "http://" + host + ":" + demo.jettyPort();
    String tomcat = "http://" + host + ":" + demo.tomcatPort();
    String algorithm = demo.settings().maglev() ? "MAGLEV" : "RING_HASH";
    List<String> lines = new ArrayList<>();
    lines.add("Tether demo: Istio's helloworld walkthrough without a mesh. Ctrl-C stops everything.");
    lines.add("");
    lines.add("Backends (five v1, one v2; GET /hello answers with version and instance):");
    for (Backend backend : demo.backends()) {
      lines.add(String.format("  %-17s %s", backend.name(), backend.address()));
    }
    lines.add("Front ends (both route over all six backends):");
    lines.add("  Jetty   " + jetty + "   stateful sessions in header " + RunningDemo.SESSION_HEADER);
    lines.add("  Tomcat  " + tomcat + "   consistent hash (" + algorithm + ") on cookie "
        + RunningDemo.HASH_COOKIE);
    lines.add("");
    lines.add("1. Header-based stateful session (Jetty). The first reply names its backend in "
        + RunningDemo.SESSION_HEADER + ",");
    lines.add("   base64 of ip:port as Envoy writes it; send it back and you stay on that backend:");
    lines.add("");
    lines.add("   curl -si " + jetty + "/hello");
    lines.add("   S=$(curl -si " + jetty + "/hello | tr -d '\\r' | awk -F': ' 'tolower($1)==\""
        + RunningDemo.SESSION_HEADER + "\" {print $2}')");
    lines.add("   echo \"$S\" | base64 -d; echo");
    lines.add("   for i in 1 2 3 4 5; do curl -s -H \"" + RunningDemo.SESSION_HEADER + ": $S\" "
        + jetty + "/hello; done");
    lines.add("");
    lines.add("   Expect: the decoded value is one backend's address, and all five replies come");
    lines.add("   from that backend. Without the header, replies come from backends at random.");
    lines.add("");
    lines.add("2. Cookie consistent hash (Tomcat). A request without the cookie gets one");
    lines.add("   (Set-Cookie: " + RunningDemo.HASH_COOKIE
        + "=\"<16 hex digits>\"; HttpOnly); the same cookie hashes to the same backend:");
    lines.add("");
    lines.add("   curl -si -c /tmp/tether-cookies " + tomcat + "/hello");
    lines.add("   for i in 1 2 3 4 5; do curl -s -b /tmp/tether-cookies " + tomcat + "/hello; done");
    lines.add("   for u in alice bob carol dave erin; do curl -s -b " + RunningDemo.HASH_COOKIE
        + "=$u " + tomcat + "/hello; done");
    lines.add("");
    lines.add("   Expect: the five replies with the saved cookie name one instance. Each name");
    lines.add("   (alice, bob, ...) maps to one instance, the same on every run and through any");
    lines.add("   front end configured alike; without a cookie, each request gets a new one.");
    lines.add("");
    lines.add("3. WebSocket (both front ends). GET /echo with Upgrade: websocket is routed like any");
    lines.add("   request, so with the session header or the cookie it lands on that backend, which");
    lines.add("   answers 101 and then echoes every text message as \"<instance>: <message>\":");
    lines.add("");
    lines.add("   " + webSocketHandshake("-H \"" + RunningDemo.SESSION_HEADER + ": $S\"", jetty));
    lines.add("   " + webSocketHandshake("-b /tmp/tether-cookies", tomcat));
    lines.add("");
    lines.add("   Expect: HTTP/1.1 101 from the instance of walkthrough 1, then of walkthrough 2");
    lines.add("   (x-backend-instance). curl speaks no WebSocket: -m 2 ends it after the handshake.");
    lines.add("");
    lines.add("Other routes on every backend: /headers /cookies /status/<code> /delay/<s> /anything"
        + " /health /reset /stall/<s>");
    return String.join(System.lineSeparator(), lines);
  }

  /** A WebSocket handshake to {@code frontEnd}'s {@code /echo} with curl (RFC 6455's sample key). */
  static String webSocketHandshake(String session, String frontEnd) {
    return "curl -si -m 2 -H 'Connection: Upgrade' -H 'Upgrade: websocket'"
        + " -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "
        + session + " " + frontEnd + "/echo";
  }
}
