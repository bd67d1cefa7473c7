package dev.tether.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One front end on its own, as the container images run it:
 * {@code jetty|tomcat --host 0.0.0.0 --port 8080 --endpoints dns:helloworld:5000 ...}. Every
 * option other than {@code --host} and {@code --port} is a Tether configuration key, passed as
 * given; the core (and the valve) check it and name it in their error.
 */
final class SingleFrontEnd {

  private SingleFrontEnd() {}

  static int run(String kind, String[] args, PrintStream out, PrintStream err) {
    Map<String, String> keys = new LinkedHashMap<>();
    String host = DemoSettings.HOST;
    int port = 8080;
    try {
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          out.println(Demo.usage());
          return 0;
        }
        if (!arg.startsWith("--") || arg.length() == 2) {
          throw new IllegalArgumentException("unexpected argument: " + arg
              + " (expected: --host ADDR, --port N or --<tether key> VALUE)");
        }
        int equals = arg.indexOf('=');
        String key = equals > 0 ? arg.substring(2, equals) : arg.substring(2);
        String value;
        if (equals > 0) {
          value = arg.substring(equals + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("--" + key + ": missing value");
        }
        switch (key) {
          case "host" -> host = value;
          case "port" -> port = parsePort(value);
          default -> keys.put(key, value);
        }
      }
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    FrontEnd frontEnd;
    try {
      frontEnd = kind.equals("jetty")
          ? JettyFrontEnd.start(host, port, keys, "--port")
          : TomcatFrontEnd.start(host, port, keys, "--port");
    } catch (PortInUseException e) {
      err.println(e.getMessage());
      return 1;
    } catch (IOException | RuntimeException e) {
      err.println("cannot start the " + kind + " front end: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(frontEnd::close, kind + "-shutdown"));
    out.println(kind + " front end listening " + host + ":" + frontEnd.port() + " " + keys);
    out.flush();
    return Demo.awaitForever();
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--port: " + value + " (expected: 0 to 65535)");
  }
}
