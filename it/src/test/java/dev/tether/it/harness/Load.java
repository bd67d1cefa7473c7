package dev.tether.it.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Concurrent clients with sessions, each on its own thread and its own connection pool, sending
 * {@code GET /hello} and, every {@value #POST_EVERY}th request, {@code POST /deliver} with a
 * request id of its own, as fast as the front end answers, until {@link #stop()}. Each client
 * carries the session value it was given and takes the one a response hands it, as a browser
 * keeps a cookie; every request and what came of it is recorded.
 */
public final class Load {

  /** Every this many requests of a client is a POST. */
  public static final int POST_EVERY = 4;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** One request and its outcome. */
  public record Outcome(int client, String method, String requestId, int status, String instance,
      String sessionBefore, String sessionAfter, String error) {
    public boolean failed() {
      return status != 200;
    }

    public boolean idempotent() {
      return method.equals("GET");
    }
  }

  private final URI base;
  private final String sessionHeader;
  private final String label;
  private final List<String> sessions;
  private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();

  private Load(URI base, String sessionHeader, String label, List<String> sessions) {
    this.base = base;
    this.sessionHeader = sessionHeader;
    this.label = label;
    this.sessions = sessions;
  }

  /**
   * Starts one client per entry of {@code sessions} (its first session value), request ids
   * prefixed with {@code label}.
   */
  public static Load start(URI base, String sessionHeader, String label, List<String> sessions) {
    Load load = new Load(base, sessionHeader, label, List.copyOf(sessions));
    for (int i = 0; i < load.sessions.size(); i++) {
      int client = i;
      Thread thread = new Thread(() -> load.run(client), "load-" + label + "-" + i);
      thread.setDaemon(true);
      load.threads.add(thread);
      thread.start();
    }
    return load;
  }

  private void run(int client) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    String session = sessions.get(client);
    for (int n = 1; running.get(); n++) {
      boolean post = n % POST_EVERY == 0;
      String id = label + "-" + client + "-" + n;
      HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(post ? "/deliver" : "/hello"))
          .timeout(REQUEST_TIMEOUT).header(sessionHeader, session);
      if (post) {
        request.header("x-request-id", id)
            .POST(HttpRequest.BodyPublishers.ofString("order " + id));
      } else {
        request.GET();
      }
      Outcome outcome;
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Optional<String> handed = response.headers().firstValue(sessionHeader);
        String after = handed.orElse(session);
        outcome = new Outcome(client, post ? "POST" : "GET", id, response.statusCode(),
            response.headers().firstValue("x-backend-instance").orElse(null), session, after,
            response.statusCode() == 200 ? null : response.body());
        session = after;
      } catch (IOException e) {
        outcome = new Outcome(client, post ? "POST" : "GET", id, -1, null, session, session,
            e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      outcomes.add(outcome);
    }
  }

  /** Stops every client after its current request, and waits for them. */
  public List<Outcome> stop() {
    running.set(false);
    for (Thread thread : threads) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        throw new IllegalStateException(thread.getName() + ": still running after 30 s");
      }
    }
    synchronized (outcomes) {
      return List.copyOf(outcomes);
    }
  }
}
