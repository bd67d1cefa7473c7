package dev.tether.core;

import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.Failure;
import dev.tether.api.Health;
import dev.tether.api.Outcome;
import dev.tether.api.Overflow;
import dev.tether.api.RequestView;
import dev.tether.api.ResponseHeader;
import dev.tether.api.SessionConfig;
import dev.tether.api.SessionStatus;
import dev.tether.api.TetherConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The balancer both containers share: stateful session first (Envoy's {@code stateful_session}
 * filter and override host), then the hash policies and the consistent-hash table of the chosen
 * priority (Envoy's thread-aware load balancer).
 *
 * <p>Routing data lives in one immutable {@link ClusterSnapshot} published through a volatile
 * field; every request reads it once. Whoever keeps the endpoint set current (the cluster
 * runtime) calls {@link #update}; this class holds no reference to it.
 */
final class DefaultBalancer implements CoreBalancer {
  /**
   * Host-selection attempts a retry may take to find a host not tried yet: Istio configures the
   * {@code previous_hosts} predicate with {@code host_selection_retry_max_attempts: 5}.
   */
  static final int HOST_SELECTION_RETRY_ATTEMPTS = 5;

  /**
   * How far a retry keeps walking past Envoy's five attempts when all of them landed on hosts
   * already tried. A dead host may hold six ring entries in a row; Envoy then retries the dead
   * host and fails the request, Tether walks on to the next live one. The first five attempts,
   * and so every choice Envoy would make differently, are unchanged.
   */
  static final int MAX_RETRY_ATTEMPTS = 256;

  private final TetherConfig config;
  private final Clock clock;
  private final LongSupplier random;
  private final BalancerStats stats = new BalancerStats();
  private final InFlight inFlight = stats.inFlightCounters();
  /** Sealed session values; null when {@code sessionSeal} is off (the request path tests it). */
  private final SessionSealing sealing;
  private volatile ClusterSnapshot snapshot;

  DefaultBalancer(TetherConfig config, Clock clock, LongSupplier random) {
    this(config, config.endpoints(), clock, random);
  }

  DefaultBalancer(TetherConfig config, List<Endpoint> endpoints, Clock clock, LongSupplier random) {
    this(config, endpoints, clock, random, NonceSource.secure());
  }

  /**
   * A balancer whose sealed session values take their nonces from {@code nonces}.
   *
   * @throws ConfigException naming {@code sessionSealKeys} when sealing is on and its key ring
   *     cannot be read
   */
  DefaultBalancer(TetherConfig config, List<Endpoint> endpoints, Clock clock, LongSupplier random,
      NonceSource nonces) {
    this.config = config;
    this.clock = clock;
    this.random = random;
    this.sealing = SessionSealing.create(config.session(), nonces);
    update(endpoints);
  }

  /**
   * Replaces the endpoint set (discovery, health); builds the new tables before publishing them in
   * one write. Called off the request path only.
   */
  @Override
  public void update(List<Endpoint> endpoints) {
    ClusterSnapshot next = ClusterSnapshot.build(config, endpoints, inFlight);
    List<String> addresses = new ArrayList<>(endpoints.size());
    for (Endpoint e : endpoints) {
      addresses.add(e.address());
    }
    stats.retain(addresses);
    snapshot = next;
    inFlight.retain(addresses);
  }

  @Override
  public BalancerStats stats() {
    return stats;
  }

  InFlight inFlight() {
    return inFlight;
  }

  @Override
  public SealingState sealing() {
    return sealing == null ? SealingState.OFF : sealing;
  }

  /** Sealed session values and their key ring; null when sealing is off. */
  SessionSealing sessionSealing() {
    return sealing;
  }

  ClusterSnapshot snapshot() {
    return snapshot;
  }

  @Override
  public Routing routing() {
    return snapshot;
  }

  @Override
  public Decision route(RequestView request) {
    ClusterSnapshot current = snapshot;
    SessionConfig session = config.session();
    SessionStatus status = SessionStatus.NOT_APPLICABLE;
    String sessionAddress = null;
    boolean renew = false;
    if (session.mode() != SessionConfig.Mode.NONE && sessionApplies(session, request)) {
      String raw = readSessionValue(session, request);
      if (raw == null || raw.isEmpty()) {
        status = SessionStatus.ABSENT;
      } else {
        SessionValue value = decode(session, raw);
        if (!value.isValid()) {
          status = SessionStatus.INVALID;
          stats.invalidSessionValues.increment();
        } else {
          sessionAddress = value.address();
          renew = sealing != null && sealing.needsRenewal(value, nowSeconds());
          Endpoint pinned = current.byAddress(sessionAddress);
          if (pinned == null) {
            status = SessionStatus.UNKNOWN_ENDPOINT;
          } else if (!session.overrideHealth().contains(pinned.health())) {
            status = SessionStatus.UNAVAILABLE_ENDPOINT;
          } else {
            stats.pinnedSessionHits.increment();
            EndpointStats pinnedStats = stats.endpoint(sessionAddress);
            if (pinnedStats != null) {
              pinnedStats.pinnedSessionHits.increment();
            }
            if (sealing != null && !value.isSealed()) {
              sealing.plainHonoured.increment();
            }
            return new Decision(pinned, Outcome.SESSION, SessionStatus.PINNED, sessionAddress, 0,
                0, List.of(), null, renew);
          }
          if (session.strict()) {
            stats.strictRejections.increment();
            return new Decision(null, Outcome.STRICT_REJECTED, status, sessionAddress, 0, 0,
                List.of(), null);
          }
        }
      }
    }
    RequestHash requestHash = RequestHasher.hash(config.hashPolicies(), request);
    long hash = requestHash.present() ? requestHash.hash() : random.getAsLong();
    Endpoint chosen = current.choose(hash, 0);
    Outcome outcome;
    if (chosen == null) {
      outcome = Outcome.NO_HEALTHY_UPSTREAM;
      stats.noHealthyUpstream.increment();
    } else {
      outcome = requestHash.present() ? Outcome.HASH : Outcome.RANDOM;
    }
    return new Decision(chosen, outcome, status, sessionAddress, hash, 0, List.of(),
        requestHash.setCookie(), renew);
  }

  /** The request's session value, sealed or in Envoy's formats as configured. */
  private SessionValue decode(SessionConfig session, String raw) {
    if (sealing != null) {
      return sealing.open(raw, nowSeconds());
    }
    return session.mode() == SessionConfig.Mode.COOKIE
        ? SessionCodec.decodeCookie(raw, nowSeconds())
        : SessionCodec.decodeHeader(raw);
  }

  private long nowSeconds() {
    return Math.floorDiv(clock.millis(), 1000L);
  }

  @Override
  public Decision retry(RequestView request, Decision previous) {
    ClusterSnapshot current = snapshot;
    List<String> tried = new ArrayList<>(previous.tried());
    if (previous.endpoint() != null) {
      tried.add(previous.endpoint().address());
    }
    long hash = previous.outcome() == Outcome.SESSION
        ? retryHash(request)
        : previous.hash();
    Endpoint chosen = null;
    Endpoint envoyChoice = null;
    int attempt = 0;
    for (; attempt <= MAX_RETRY_ATTEMPTS; attempt++) {
      chosen = current.choose(hash, attempt);
      if (attempt == HOST_SELECTION_RETRY_ATTEMPTS) {
        envoyChoice = chosen;
      }
      if (chosen == null || !tried.contains(chosen.address())) {
        break;
      }
    }
    if (attempt > MAX_RETRY_ATTEMPTS) {
      // Every endpoint reachable from this hash was tried: Envoy's last choice, as Envoy returns.
      chosen = envoyChoice;
      attempt = HOST_SELECTION_RETRY_ATTEMPTS;
    }
    stats.retries.increment();
    Outcome outcome = chosen == null ? Outcome.NO_HEALTHY_UPSTREAM : Outcome.RETRY;
    if (chosen == null) {
      stats.noHealthyUpstream.increment();
    }
    return new Decision(chosen, outcome, previous.session(), previous.sessionAddress(), hash,
        attempt, tried, previous.generatedCookie(), previous.renewSession());
  }

  /** A pinned request never hashed; its retry hashes now, as Envoy's balancer would. */
  private long retryHash(RequestView request) {
    RequestHash requestHash = RequestHasher.hash(config.hashPolicies(), request);
    return requestHash.present() ? requestHash.hash() : random.getAsLong();
  }

  @Override
  public List<ResponseHeader> responseHeaders(Decision decision, Endpoint served) {
    List<ResponseHeader> headers = new ArrayList<>(2);
    if (decision.generatedCookie() != null) {
      headers.add(new ResponseHeader("Set-Cookie", decision.generatedCookie(), false));
    }
    SessionConfig session = config.session();
    if (served == null || session.mode() == SessionConfig.Mode.NONE
        || decision.session() == SessionStatus.NOT_APPLICABLE) {
      return headers;
    }
    String address = served.address();
    boolean sameEndpoint = address.equals(decision.sessionAddress());
    if (sameEndpoint && (!decision.renewSession() || sealing == null)) {
      // Only a sealed value is ever renewed; a plain one naming its endpoint is left as it is.
      return headers;
    }
    if (sameEndpoint) {
      sealing.renewals.increment();
    } else if (decision.sessionAddress() != null) {
      // The request named another endpoint: the session moves here (a re-pin).
      stats.rePins.increment();
      EndpointStats servedStats = stats.endpoint(address);
      if (servedStats != null) {
        servedStats.rePins.increment();
      }
    }
    long ttl = session.ttl().getSeconds();
    String value;
    if (sealing != null) {
      value = sealing.seal(address, nowSeconds());
      if (value == null) {
        return headers;
      }
    } else if (session.mode() == SessionConfig.Mode.HEADER) {
      value = SessionCodec.encodeHeader(address);
    } else {
      value = SessionCodec.encodeCookie(address, ttl != 0 ? nowSeconds() + ttl : 0);
    }
    if (session.mode() == SessionConfig.Mode.HEADER) {
      headers.add(new ResponseHeader(session.name(), value, true));
    } else {
      headers.add(new ResponseHeader("Set-Cookie",
          SetCookie.format(session.name(), value, session.path(), ttl, session.attributes()),
          false));
    }
    return headers;
  }

  @Override
  public void requestStarted(Endpoint endpoint) {
    String address = endpoint.address();
    inFlight.started(address);
    EndpointStats endpointStats = stats.endpoint(address);
    if (endpointStats != null) {
      endpointStats.requests.increment();
      if (endpoint.health() == Health.DRAINING) {
        endpointStats.drainingRequests.increment();
      }
    }
  }

  @Override
  public void requestFinished(Endpoint endpoint, int status) {
    String address = endpoint.address();
    inFlight.finished(address);
    EndpointStats endpointStats = stats.endpoint(address);
    if (endpointStats != null) {
      endpointStats.finished(status);
    }
  }

  /** A client that left counts against nobody. */
  @Override
  public void requestFailed(Endpoint endpoint, Failure failure) {
    String address = endpoint.address();
    inFlight.finished(address);
    EndpointStats endpointStats = stats.endpoint(address);
    if (endpointStats != null && failure != Failure.CANCELLED) {
      endpointStats.failed(failure);
    }
  }

  /** Counted for the whole balancer: circuit breaking blames no endpoint. */
  @Override
  public void overflowed(Overflow overflow) {
    if (overflow == Overflow.PENDING) {
      stats.pendingOverflows.increment();
    } else {
      stats.retryOverflows.increment();
    }
  }

  @Override
  public void tunnelOpened(Endpoint endpoint) {
    EndpointStats endpointStats = stats.endpoint(endpoint.address());
    if (endpointStats != null) {
      endpointStats.openTunnels.incrementAndGet();
    }
    stats.openTunnels.incrementAndGet();
  }

  @Override
  public void tunnelClosed(Endpoint endpoint) {
    EndpointStats endpointStats = stats.endpoint(endpoint.address());
    if (endpointStats != null) {
      endpointStats.openTunnels.updateAndGet(n -> n > 0 ? n - 1 : 0);
    }
    stats.openTunnels.updateAndGet(n -> n > 0 ? n - 1 : 0);
  }

  @Override
  public List<Endpoint> endpoints() {
    return snapshot.endpoints();
  }

  @Override
  public TetherConfig config() {
    return config;
  }

  private static boolean sessionApplies(SessionConfig session, RequestView request) {
    return session.mode() != SessionConfig.Mode.COOKIE
        || CookiePath.matches(session.path(), request.pathAndQuery());
  }

  private static String readSessionValue(SessionConfig session, RequestView request) {
    if (session.mode() == SessionConfig.Mode.COOKIE) {
      return RequestCookies.value(request.headers("cookie"), session.name());
    }
    List<String> values = request.headers(session.name());
    return values.isEmpty() ? null : values.get(0);
  }
}
