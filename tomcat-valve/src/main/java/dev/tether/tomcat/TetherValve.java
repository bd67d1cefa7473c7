package dev.tether.tomcat;

import dev.tether.Tether;
import dev.tether.api.Balancer;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import dev.tether.core.config.ConfigKeys;
import dev.tether.core.config.Durations;
import dev.tether.core.internal.Spelling;
import jakarta.servlet.ServletException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Container;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.res.StringManager;

/**
 * Tether's front-end Valve: Tomcat itself becomes the session-affine load balancer in front of a
 * set of backends, choosing each backend as an Istio-configured Envoy would.
 *
 * <p>Place it in the {@code <Engine>} (every host) or a {@code <Host>} of {@code server.xml}:
 * <pre>{@code
 * <Valve className="dev.tether.tomcat.TetherValve"
 *        endpoints="10.0.0.1:8080,10.0.0.2:8080" sessionHeader="x-session-header"/>
 * }</pre>
 *
 * <p>The attributes are the core's configuration keys ({@link Tether#defaults()}), read through
 * {@link #setProperty}: Tomcat's digester (and {@code IntrospectionUtils}) fall back to a generic
 * {@code setProperty(name, value)} when a bean has no setter for an attribute, so every key the
 * core knows works without a setter per key, and a key added to the core needs no change here.
 * The timeouts ({@code connectTimeout}, {@code requestTimeout}, {@code perTryTimeout},
 * {@code idleTimeout}) are core keys, honoured the same way by every front end; two attributes
 * belong to the valve alone: {@code pathPrefix} (default {@code /}; requests outside it continue
 * down the pipeline) and {@code drainTimeout} (default {@code 5s}; see below).
 *
 * <p>Requests, retries, local replies and WebSocket (or any HTTP/1.1 {@code Upgrade}) tunnels are
 * the core's proxy exchange, carried by {@link Forwarder}; an open tunnel holds no thread.
 *
 * <p>Nothing is checked until {@link #startInternal()}: there the attributes go through the same
 * parser as the Jetty module's properties, and a bad value or an unknown attribute stops Tomcat
 * with a {@link LifecycleException} reading {@code key: value (expected: ...)}; for an unknown
 * attribute the message also names the one it most likely misspells, as the Jetty module and the
 * CLI do. Tomcat's own valves only warn about an unknown attribute; a proxy that silently ignores
 * {@code sesionHeader} would move every session, so this one refuses to start.
 *
 * <p>Graceful stop: Tomcat stops a service by pausing its connectors (with
 * {@code bindOnInit="false"} on the {@code <Connector>} it first closes the listening socket, so
 * new connections are refused; otherwise they wait in the backlog until the connector stops),
 * then stopping the engine, whose pipeline stops this valve, then stopping the connectors. This
 * valve's {@link #stopInternal()} waits there, up to {@code drainTimeout} (default 5s), for the
 * requests it is forwarding and the tunnels it holds; then it closes the tunnels still open and its
 * backend connections. A paused connector answers new requests on open connections with 503.
 *
 * <p>To embed it (for example in an embedded Tomcat), create it, call {@link #setProperty} for
 * each key, and add it to the engine's or host's pipeline before the server starts.
 */
public final class TetherValve extends ValveBase {
  private static final Log log = LogFactory.getLog(TetherValve.class);
  private static final StringManager strings = StringManager.getManager(TetherValve.class);
  /**
   * How often a stopping valve looks again at what is in flight: a stop is rare, and a short
   * poll keeps the wait close to the moment the last exchange ends.
   */
  private static final long DRAIN_POLL_MILLIS = 20;

  /** Attributes as configured, in the order given; read once at start. */
  private final Map<String, String> attributes = new LinkedHashMap<>();

  /** Null until started; the request path reads it once. */
  private volatile Running running;

  /** Requests inside {@link Forwarder#forward} right now: what a stopping valve waits for. */
  private final AtomicInteger inFlight = new AtomicInteger();

  /** What a started valve uses per request, published as one unit. */
  private record Running(ValveOptions options, Forwarder forwarder) {}

  /**
   * Async-capable: the valve never starts async processing itself, and a valve that is not would
   * turn async support off for every application behind it.
   */
  public TetherValve() {
    super(true);
  }

  /**
   * Sets one attribute: a core configuration key ({@code endpoints}, {@code sessionHeader},
   * {@code requestTimeout}, ...) or the valve's {@code pathPrefix}. Values are checked when the
   * valve starts.
   *
   * @return whether the name is a known attribute; Tomcat logs a warning for {@code false}, and
   *     the valve then refuses to start
   */
  public boolean setProperty(String name, String value) {
    synchronized (attributes) {
      attributes.put(name, value);
    }
    return isKnown(name);
  }

  /** The attribute as set, or null. */
  public String getProperty(String name) {
    synchronized (attributes) {
      return attributes.get(name);
    }
  }

  /** Requests whose path is under this prefix are proxied; default {@code /} (all). */
  public void setPathPrefix(String pathPrefix) {
    setProperty(ValveOptions.PATH_PREFIX, pathPrefix);
  }

  public String getPathPrefix() {
    String value = getProperty(ValveOptions.PATH_PREFIX);
    return value != null ? value : ValveOptions.DEFAULT_PATH_PREFIX;
  }

  /** The balancer in use; null unless started. For embedding code and diagnostics. */
  public Balancer getBalancer() {
    Running current = running;
    return current == null ? null : current.forwarder().balancer();
  }

  /** Requests being forwarded right now. For diagnostics and the drain on stop. */
  public int getRequestsInFlight() {
    return inFlight.get();
  }

  /** WebSocket and other tunnels open right now; 0 unless started. For diagnostics. */
  public int getOpenTunnels() {
    Running current = running;
    return current == null ? 0 : current.forwarder().openTunnels();
  }

  @Override
  protected void startInternal() throws LifecycleException {
    Map<String, String> coreKeys = new LinkedHashMap<>();
    Map<String, String> valveKeys = new LinkedHashMap<>();
    synchronized (attributes) {
      for (Map.Entry<String, String> attribute : attributes.entrySet()) {
        String name = attribute.getKey();
        if (ValveOptions.KEYS.contains(name)) {
          valveKeys.put(name, attribute.getValue());
        } else {
          coreKeys.put(name, attribute.getValue());
        }
      }
    }
    Running started;
    try {
      for (Map.Entry<String, String> attribute : coreKeys.entrySet()) {
        if (!ConfigKeys.isKey(attribute.getKey())) {
          throw unknown(attribute.getKey(), attribute.getValue());
        }
      }
      ValveOptions options = ValveOptions.parse(valveKeys);
      TetherConfig config = Tether.parseConfig(coreKeys, catalinaBase());
      Balancer balancer = Tether.balancer(config);
      try {
        started = new Running(options, Forwarder.create(balancer));
      } catch (RuntimeException failed) {
        balancer.close();
        throw failed;
      }
    } catch (ConfigException invalid) {
      throw new LifecycleException(invalid.getMessage(), invalid);
    } catch (RuntimeException failed) {
      throw new LifecycleException(strings.getString("valve.startFailed", failed), failed);
    }
    running = started;
    TetherConfig config = started.forwarder().balancer().config();
    log.info(strings.getString("valve.started",
        started.options().pathPrefix(),
        started.forwarder().balancer().endpoints().size(),
        config.loadBalancer(),
        config.session().mode(),
        config.timeouts().connect(), config.timeouts().request(), config.timeouts().perTry(),
        config.timeouts().idle()));
    super.startInternal();
  }

  /**
   * Drains, then closes: waits until no request is being forwarded and no tunnel is open, at most
   * {@code drainTimeout}, and then closes the tunnels still open, the pooled backend connections
   * and the balancer's background work. Requests keep being forwarded while it waits (the
   * connector is paused by then: they are the ones already read).
   */
  @Override
  protected void stopInternal() throws LifecycleException {
    super.stopInternal();
    Running stopped = running;
    if (stopped == null) {
      return;
    }
    try {
      drain(stopped);
    } finally {
      running = null;
      stopped.forwarder().close();
    }
  }

  private void drain(Running stopped) {
    long timeoutNanos = stopped.options().drainTimeout().toNanos();
    long start = System.nanoTime();
    int requests = inFlight.get();
    int tunnels = stopped.forwarder().openTunnels();
    if (requests == 0 && tunnels == 0) {
      return;
    }
    String drainTimeout = Durations.format(stopped.options().drainTimeout());
    log.info(strings.getString("valve.draining", requests, tunnels, drainTimeout));
    while (System.nanoTime() - start < timeoutNanos) {
      if (inFlight.get() == 0 && stopped.forwarder().openTunnels() == 0) {
        log.info(strings.getString("valve.drained",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        return;
      }
      try {
        Thread.sleep(DRAIN_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    log.warn(strings.getString("valve.drainTimedOut", drainTimeout,
        inFlight.get(), stopped.forwarder().openTunnels()));
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    Running current = running;
    if (current == null || !current.options().covers(request.getDecodedRequestURI())
        || rejectedByTomcat(response)) {
      getNext().invoke(request, response);
      return;
    }
    inFlight.incrementAndGet();
    try {
      current.forwarder().forward(request, response);
    } finally {
      inFlight.decrementAndGet();
    }
    if (request.getContext() == null && !response.isError()) {
      logAccess(request, response);
    }
  }

  /**
   * Writes the access log entry Tomcat would skip: for a request no Context maps (a base without a
   * ROOT application), Tomcat logs only error responses, so every proxied request would go
   * unlogged. The response is flushed first so {@code %b} counts every byte.
   */
  private static void logAccess(Request request, Response response) {
    try {
      response.flushBuffer();
    } catch (IOException clientGone) {
      // Logged as far as it got.
    }
    long time = System.nanoTime() - request.getCoyoteRequest().getStartTimeNanos();
    Container logger = request.getHost() != null
        ? request.getHost() : request.getConnector().getService().getContainer();
    logger.logAccess(request, response, time, false);
  }

  /**
   * Whether Tomcat has already answered this request with an error while parsing it (a request
   * header over {@code maxHttpHeaderSize}, for one): Tomcat still runs the pipeline with the
   * status set and the request half-parsed. Such a request is not forwarded; Tomcat renders its
   * own 4xx.
   */
  private static boolean rejectedByTomcat(Response response) {
    return response.isError() || response.getStatus() >= 400;
  }

  /** {@code $CATALINA_BASE}, against which a relative {@code destinationRule} is resolved. */
  private Path catalinaBase() {
    Container container = getContainer();
    File base = container == null ? null : container.getCatalinaBase();
    if (base != null) {
      return base.toPath();
    }
    String property = System.getProperty("catalina.base");
    return property != null ? Path.of(property) : Path.of("");
  }

  private static boolean isKnown(String name) {
    return ValveOptions.KEYS.contains(name) || ConfigKeys.isKey(name);
  }

  /** {@code name: value (expected: one of the attributes ...; did you mean ...?)}. */
  private static ConfigException unknown(String name, String value) {
    Set<String> names = new TreeSet<>(Tether.defaults().keySet());
    names.addAll(ValveOptions.KEYS);
    String closest = Spelling.closest(name, names);
    return new ConfigException(name, value, "one of the attributes " + String.join(", ", names)
        + (closest == null ? "" : "; did you mean " + closest + "?"));
  }

  @Override
  public String toString() {
    return "TetherValve[" + getPathPrefix() + "]";
  }
}
