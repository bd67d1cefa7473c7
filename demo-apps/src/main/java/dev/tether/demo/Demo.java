package dev.tether.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -jar tether-demo.jar}: the whole demo on 127.0.0.1 with nothing to install.
 *
 * <p>Without a command it starts six helloworld backends, a Jetty front end with header-based
 * stateful sessions and a Tomcat front end with a cookie consistent hash, prints the walkthrough
 * and runs until Ctrl-C. The commands {@code backend}, {@code jetty} and {@code tomcat} run one
 * piece each, as the container images do.
 */
public final class Demo {

  /**
   * Tomcat logs its start-up through JULI at INFO, a dozen lines that would bury the
   * walkthrough; only its warnings and errors are shown. Held here so the level is not lost when
   * the logger is garbage collected.
   */
  private static final Logger TOMCAT_LOG = quiet("org.apache");

  /** The valve's own start-up line (JULI, as in Tomcat) would come before the walkthrough too. */
  private static final Logger VALVE_LOG = quiet("dev.tether.tomcat");

  private Demo() {}

  public static void main(String[] args) {
    // Jetty logs through SLF4J (jetty-slf4j-impl); its INFO start-up lines would bury the
    // walkthrough. A -D on the command line still wins.
    System.getProperties().putIfAbsent("org.eclipse.jetty.LEVEL", "WARN");
    int code = run(args, System.out, System.err);
    System.exit(code);
  }

  /**
   * Runs the command line and returns the exit code: 0 after {@code --help}, 1 when something
   * could not start (a taken port among them), 2 for bad options. A started demo returns only
   * once interrupted; the process normally ends through its shutdown hook.
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && !args[0].startsWith("-")) {
      String[] rest = Arrays.copyOfRange(args, 1, args.length);
      switch (args[0]) {
        case "backend":
          return Backend.run(rest, out, err);
        case "jetty":
        case "tomcat":
          return SingleFrontEnd.run(args[0], rest, out, err);
        default:
          err.println("unknown command: " + args[0] + " (expected: backend, jetty or tomcat)");
          return 2;
      }
    }
    DemoSettings settings;
    try {
      settings = parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println("try --help");
      return 2;
    }
    if (settings == null) {
      out.println(usage());
      return 0;
    }
    RunningDemo demo;
    try {
      demo = RunningDemo.start(settings);
    } catch (PortInUseException e) {
      err.println(e.getMessage());
      return 1;
    } catch (IOException | RuntimeException e) {
      err.println("cannot start the demo: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      out.println("Stopped.");
      out.flush();
    }, "demo-shutdown"));
    out.println(Walkthrough.render(demo));
    out.flush();
    return awaitForever();
  }

  /** The settings, or null when {@code --help} was asked for. */
  static DemoSettings parse(String[] args) {
    Options options =
        Options.parse(args, List.of("--jetty-port", "--tomcat-port", "--backend-base-port"),
            List.of("--maglev"));
    if (options.flag("--help")) {
      return null;
    }
    int backendBase = options.port("--backend-base-port", DemoSettings.BACKEND_BASE_PORT);
    if (backendBase > 65535 - RunningDemo.VERSIONS.size() + 1) {
      throw new IllegalArgumentException("--backend-base-port: " + backendBase
          + " (expected: 0, or at most " + (65536 - RunningDemo.VERSIONS.size()) + ")");
    }
    return new DemoSettings(
        DemoSettings.HOST,
        options.port("--jetty-port", DemoSettings.JETTY_PORT),
        options.port("--tomcat-port", DemoSettings.TOMCAT_PORT),
        backendBase,
        options.flag("--maglev"));
  }

  static String usage() {
    return String.join(System.lineSeparator(),
        "usage: java -jar tether-demo.jar [options]",
        "Starts six helloworld backends (five v1, one v2), a Jetty front end with header-based",
        "stateful sessions and a Tomcat front end with a cookie consistent hash, all on",
        DemoSettings.HOST + ", prints the walkthrough and runs until Ctrl-C.",
        "",
        "  --jetty-port N          Jetty front end (sessionHeader=x-session-header), default "
            + DemoSettings.JETTY_PORT,
        "  --tomcat-port N         Tomcat front end (hashPolicy=" + RunningDemo.HASH_POLICY
            + "), default " + DemoSettings.TOMCAT_PORT,
        "  --backend-base-port N   backends on N to N+5, default " + DemoSettings.BACKEND_BASE_PORT
            + "-" + (DemoSettings.BACKEND_BASE_PORT + 5),
        "  --maglev                Tomcat front end hashes with MAGLEV instead of RING_HASH",
        "  --help                  this text",
        "Any port may be 0 for a free one.",
        "",
        "One piece at a time (as the container images run them):",
        "  java -jar tether-demo.jar backend --port 5000 --name NAME --version v1 [--host ADDR]",
        "  java -jar tether-demo.jar jetty  --port 8080 [--host ADDR] --<tether key> VALUE ...",
        "  java -jar tether-demo.jar tomcat --port 8080 [--host ADDR] --<tether key> VALUE ...",
        "  for example: jetty --endpoints 127.0.0.1:9001,127.0.0.1:9002 --sessionHeader x-session-header");
  }

  static int awaitForever() {
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.WARNING);
    return logger;
  }
}
