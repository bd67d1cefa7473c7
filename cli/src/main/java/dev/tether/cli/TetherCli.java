package dev.tether.cli;

import dev.tether.Tether;
import dev.tether.api.Decision;
import dev.tether.api.Endpoint;
import dev.tether.api.HashFunction;
import dev.tether.api.Outcome;
import dev.tether.api.ResponseHeader;
import dev.tether.api.SessionStatus;
import dev.tether.api.TetherConfig;
import dev.tether.core.ConfigException;
import dev.tether.core.CoreBalancer;
import dev.tether.core.HostTable;
import dev.tether.core.Inspection;
import dev.tether.core.KeyRing;
import dev.tether.core.NonceSource;
import dev.tether.core.RequestHash;
import dev.tether.core.Routing;
import dev.tether.core.SessionValue;
import dev.tether.core.cluster.Cluster;
import dev.tether.core.config.EndpointSyntax;
import dev.tether.core.internal.Spelling;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The {@code tether} command line: answers an operator's "where does this session go, and why?"
 * with the same code the containers run. It is written against the core's public API alone
 * ({@link Tether}, {@link CoreBalancer}, {@link Routing}, {@link Inspection}, {@link KeyRing}), so
 * it lives in a module of its own and reaches nothing package-private.
 *
 * <p>{@code status}, {@code drain}, {@code undrain} and {@code pick --pid} ask a running front
 * end instead, through its JMX beans ({@link LiveFrontEnd}).
 *
 * <p>Exit codes: 0 done, 2 bad usage or configuration (the message names the flag, the value and
 * what was expected; an unknown flag also the flag it most likely misspells) or a PID that is no
 * Tether front end this user can attach to, 3 no endpoint can serve.
 */
public final class TetherCli {
  static final int OK = 0;
  static final int USAGE = 2;
  static final int NO_ENDPOINT = 3;

  private static final String USAGE_TEXT = String.join("\n",
      "usage: tether <command> [flags]",
      "",
      "commands:",
      "  hash [--seed N] [--function XX_HASH|MURMUR_HASH_2] TEXT",
      "      the unsigned 64-bit hash of TEXT's UTF-8 bytes",
      "  pick [config flags] (--hash U64 ... | request flags) [--attempt N] [--now UNIX_SECONDS]",
      "      the endpoint Tether (and Envoy) choose, as host:port; then any response header",
      "      Tether adds (a generated cookie, a session cookie or header). Exit 3: no endpoint",
      "  pick --pid PID [--balancer NAME] request flags",
      "      the same answer from the live endpoint set of a running Jetty or Tomcat on this host",
      "  status --pid PID [--balancer NAME]",
      "      per balancer of the running front end, one line per endpoint: address health=",
      "      ejected= draining= inFlight= requests= pinned= entries= share=",
      "  drain --pid PID [--balancer NAME] ADDRESS, undrain --pid PID [--balancer NAME] ADDRESS",
      "      marks the endpoint DRAINING (it keeps its sessions, takes no new ones) or ends that;",
      "      prints its new state",
      "  table [config flags]",
      "      per endpoint: host:port entries share (ring entries or Maglev slots)",
      "  encode (--cookie|--header) --address host:port [--expires UNIX_SECONDS]",
      "      an Envoy session value for the address",
      "  decode (--cookie|--header) VALUE [--now UNIX_SECONDS] [--cookiePath P --requestPath P]",
      "      address=host:port expires=N format=proto|legacy|header, or invalid: reason",
      "  simulate [config flags] --keys N (--remove host:port | --add host:port[;attrs]) [--seed N]",
      "      the fraction of N random keys whose endpoint changes",
      "  keygen [--id ID]",
      "      a new key ring line, ID=BASE64 (32 random bytes; ID by default k<UTC date and time>)",
      "  seal --sessionSealKeys FILE --address host:port ... [--expires UNIX_SECONDS]",
      "      a sealed session value for each address, sealed with the ring's active (first) key",
      "  unseal --sessionSealKeys FILE VALUE [--now UNIX_SECONDS]",
      "      address=host:port expires=N key=ID, or invalid: reason",
      "",
      "config flags: every configuration key as --key value, e.g. --endpoints (a list,",
      "  dns:NAME:PORT resolved once, or file:PATH), --loadBalancer,",
      "  --minimumRingSize, --maximumRingSize, --hashFunction, --tableSize, --hashPolicy,",
      "  --localityWeights, --panicThreshold, --sessionCookie, --sessionHeader, --destinationRule",
      "request flags: --header 'Name: value' (repeatable), --cookie 'a=b; c=d', --path '/p?q=1',",
      "  --method M (default GET), --remote ip:port (default 127.0.0.1:40000),",
      "  --local ip:port (default 127.0.0.1:8080)");
  private static final String[] REQUEST_FLAGS =
      {"header", "cookie", "path", "method", "remote", "local"};

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;
  private final SecureRandom keyRandom;
  private final NonceSource nonces;

  TetherCli(PrintStream out, PrintStream err) {
    this(out, err, Clock.systemUTC(), new SecureRandom(), NonceSource.secure());
  }

  /** A command line on an injected clock and randomness (tests). */
  TetherCli(PrintStream out, PrintStream err, Clock clock, SecureRandom keyRandom,
      NonceSource nonces) {
    this.out = out;
    this.err = err;
    this.clock = clock;
    this.keyRandom = keyRandom;
    this.nonces = nonces;
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.exit(new TetherCli(out, System.err).run(args));
  }

  int run(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")
        || args[0].equals("-h")) {
      (args.length == 0 ? err : out).println(USAGE_TEXT);
      return args.length == 0 ? USAGE : OK;
    }
    try {
      Args parsed = Args.parse(args, 1);
      switch (args[0]) {
        case "hash":
          return hash(parsed);
        case "pick":
          return pick(parsed);
        case "table":
          return table(parsed);
        case "encode":
          return encode(parsed);
        case "decode":
          return decode(parsed);
        case "simulate":
          return simulate(parsed);
        case "keygen":
          return keygen(parsed);
        case "seal":
          return seal(parsed);
        case "unseal":
          return unseal(parsed);
        case "status":
          return status(parsed);
        case "drain":
          return drain(parsed, true);
        case "undrain":
          return drain(parsed, false);
        default:
          throw new ConfigException("command", args[0], "hash, pick, table, encode, decode,"
              + " simulate, keygen, seal, unseal, status, drain or undrain");
      }
    } catch (ConfigException | LiveFrontEnd.Unreachable e) {
      err.println("tether: " + e.getMessage());
      return USAGE;
    }
  }

  private int status(Args args) {
    args.allow("pid", "balancer");
    args.noPositional();
    try (LiveFrontEnd frontEnd = LiveFrontEnd.attach(pid(args))) {
      List<String> lines = new ArrayList<>();
      for (String name : balancers(frontEnd, args, false)) {
        if (!lines.isEmpty()) {
          lines.add("");
        }
        lines.addAll(frontEnd.status(name).lines());
      }
      lines.forEach(out::println);
      return OK;
    }
  }

  private int livePick(Args args) {
    List<String> allowed = new ArrayList<>(List.of("pid", "balancer"));
    allowed.addAll(List.of(REQUEST_FLAGS));
    args.allow(allowed.toArray(new String[0]));
    args.noPositional();
    CliRequest request = request(args);
    try (LiveFrontEnd frontEnd = LiveFrontEnd.attach(pid(args))) {
      List<String> lines = frontEnd.pick(balancers(frontEnd, args, true).get(0), request);
      if (lines.isEmpty()) {
        return NO_ENDPOINT;
      }
      lines.forEach(out::println);
      return OK;
    }
  }

  private int drain(Args args, boolean draining) {
    args.allow("pid", "balancer");
    if (args.positional.size() != 1) {
      throw new ConfigException("ADDRESS", String.join(" ", args.positional),
          "exactly one endpoint address, ip:port");
    }
    String given = args.positional.get(0);
    String[] hp = hostPort("ADDRESS", given);
    String address = Inspection.address(hp[0], Integer.parseInt(hp[1]));
    try (LiveFrontEnd frontEnd = LiveFrontEnd.attach(pid(args))) {
      String name = balancers(frontEnd, args, true).get(0);
      if (!frontEnd.setDraining(name, given, draining)) {
        List<String> addresses = new ArrayList<>();
        frontEnd.status(name).endpoints().forEach(e -> addresses.add(e.address()));
        throw new ConfigException("ADDRESS", given, "an endpoint of balancer " + name + ": "
            + (addresses.isEmpty() ? "it has none" : String.join(", ", addresses)));
      }
      BalancerStatus status = frontEnd.status(name);
      EndpointStatus endpoint = status.endpoint(address);
      (endpoint == null ? status.lines() : List.of(endpoint.line())).forEach(out::println);
      return OK;
    }
  }

  private static long pid(Args args) {
    if (!args.has("pid")) {
      throw new ConfigException("--pid", "(missing)", "--pid PID of a running Jetty or Tomcat");
    }
    return args.longValue("pid", 1, Long.MAX_VALUE, -1);
  }

  /**
   * The balancers to answer for: {@code --balancer NAME}, else every one ({@code one}: the only
   * one, since an operation needs one).
   */
  private static List<String> balancers(LiveFrontEnd frontEnd, Args args, boolean one) {
    List<String> names = frontEnd.balancers();
    if (args.has("balancer")) {
      String name = args.first("balancer");
      if (!names.contains(name)) {
        throw new ConfigException("--balancer", name, "one of " + String.join(", ", names));
      }
      return List.of(name);
    }
    if (one && names.size() > 1) {
      throw new ConfigException("--balancer", "(missing)", "--balancer NAME, one of "
          + String.join(", ", names) + ": PID " + args.first("pid") + " has " + names.size());
    }
    return names;
  }

  private int hash(Args args) {
    args.allow("seed", "function");
    if (args.positional.size() != 1) {
      throw new ConfigException("TEXT", String.join(" ", args.positional), "exactly one argument");
    }
    HashFunction function = args.enumValue("function", HashFunction.class, HashFunction.XX_HASH);
    String text = args.positional.get(0);
    long hash;
    if (function == HashFunction.MURMUR_HASH_2) {
      long seed = args.has("seed") ? args.u64("seed") : Inspection.MURMUR_HASH_2_SEED;
      hash = Inspection.murmurHash2(text, seed);
    } else {
      hash = Inspection.xxHash64(text, args.has("seed") ? args.u64("seed") : 0);
    }
    out.println(Long.toUnsignedString(hash));
    return OK;
  }

  private int pick(Args args) {
    if (args.hasAny("pid")) {
      return livePick(args);
    }
    args.allowConfig("hash", "attempt", "now", "header", "cookie", "path", "method", "remote",
        "local");
    args.noPositional();
    TetherConfig config = args.config();
    long now = args.has("now") ? args.u64("now") : Instant.now().getEpochSecond();
    Clock clock = Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC);
    SplittableRandom random = new SplittableRandom();
    CoreBalancer balancer = CoreBalancer.create(config, config.endpoints(), clock, random::nextLong);
    int attempt = (int) args.longValue("attempt", 0, 1_000_000, 0);
    if (args.has("hash")) {
      if (args.hasAny(REQUEST_FLAGS)) {
        throw new ConfigException("hash", args.first("hash"), "either --hash or request flags, not both");
      }
      List<String> lines = new ArrayList<>();
      for (String text : args.all("hash")) {
        Endpoint chosen = balancer.routing().choose(parseU64("hash", text), attempt);
        if (chosen == null) {
          return NO_ENDPOINT;
        }
        lines.add(chosen.address());
      }
      lines.forEach(out::println);
      return OK;
    }
    CliRequest request = request(args);
    Decision decision;
    if (attempt > 0) {
      RequestHash requestHash = Inspection.requestHash(config.hashPolicies(), request);
      long hash = requestHash.present() ? requestHash.hash() : random.nextLong();
      Endpoint chosen = balancer.routing().choose(hash, attempt);
      decision = new Decision(chosen, Outcome.RETRY, SessionStatus.NOT_APPLICABLE, null, hash,
          attempt, List.of(), requestHash.setCookie());
    } else {
      decision = balancer.route(request);
    }
    if (!decision.routed()) {
      return NO_ENDPOINT;
    }
    out.println(decision.endpoint().address());
    for (ResponseHeader header : balancer.responseHeaders(decision, decision.endpoint())) {
      out.println(header.name() + ": " + header.value());
    }
    return OK;
  }

  private static CliRequest request(Args args) {
    CliRequest request = new CliRequest();
    for (String header : args.all("header")) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new ConfigException("header", header, "'Name: value'");
      }
      request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
    }
    for (String cookie : args.all("cookie")) {
      request.header("Cookie", cookie);
    }
    if (args.has("path")) {
      request.path(args.first("path"));
    }
    if (args.has("method")) {
      request.method(args.first("method"));
    }
    if (args.has("remote")) {
      String[] hp = hostPort("remote", args.first("remote"));
      request.remote(hp[0], Integer.parseInt(hp[1]));
    }
    if (args.has("local")) {
      String[] hp = hostPort("local", args.first("local"));
      request.local(hp[0], Integer.parseInt(hp[1]));
    }
    return request;
  }

  private int table(Args args) {
    args.allowConfig();
    args.noPositional();
    TetherConfig config = args.config();
    Routing routing = Routing.of(config, config.endpoints());
    for (Endpoint endpoint : routing.endpoints()) {
      HostTable table = routing.tableOf(endpoint);
      int entries = table.entries(endpoint);
      double share = table.size() == 0 ? 0 : (double) entries / table.size();
      out.println(endpoint.address() + " " + entries + " "
          + String.format(Locale.ROOT, "%.6f", share));
    }
    return OK;
  }

  private int encode(Args args) {
    args.allow("cookie", "header", "address", "expires");
    args.noPositional();
    boolean cookie = args.flag("cookie");
    boolean header = args.flag("header");
    if (cookie == header) {
      throw new ConfigException("encode", String.join(" ", args.raw), "exactly one of --cookie or --header");
    }
    String[] hp = hostPort("address", args.required("address"));
    String address = Inspection.address(hp[0], Integer.parseInt(hp[1]));
    if (header) {
      if (args.has("expires")) {
        throw new ConfigException("expires", args.first("expires"), "no expiry for header sessions");
      }
      out.println(Inspection.encodeHeaderSession(address));
    } else {
      out.println(Inspection.encodeCookieSession(address,
          args.has("expires") ? args.u64("expires") : 0));
    }
    return OK;
  }

  private int decode(Args args) {
    args.allow("cookie", "header", "now", "cookiePath", "requestPath");
    boolean cookie = args.has("cookie");
    boolean header = args.has("header");
    if (cookie == header) {
      throw new ConfigException("decode", String.join(" ", args.raw),
          "exactly one of --cookie VALUE or --header VALUE");
    }
    String value = cookie ? args.first("cookie") : args.first("header");
    if (args.has("cookiePath") != args.has("requestPath")) {
      throw new ConfigException(args.has("cookiePath") ? "cookiePath" : "requestPath",
          args.has("cookiePath") ? args.first("cookiePath") : args.first("requestPath"),
          "--cookiePath and --requestPath together");
    }
    if (args.has("cookiePath")
        && !Inspection.cookiePathMatches(args.first("cookiePath"), args.first("requestPath"))) {
      out.println("invalid: request path " + args.first("requestPath")
          + " does not match cookie path " + args.first("cookiePath"));
      return OK;
    }
    long now = args.has("now") ? args.u64("now") : Instant.now().getEpochSecond();
    SessionValue decoded = cookie
        ? Inspection.decodeCookieSession(value, now)
        : Inspection.decodeHeaderSession(value);
    if (!decoded.isValid()) {
      out.println("invalid: " + decoded.invalidReason());
    } else {
      out.println("address=" + decoded.address() + " expires="
          + Long.toUnsignedString(decoded.expires()) + " format=" + decoded.format());
    }
    return OK;
  }

  private int simulate(Args args) {
    args.allowConfig("keys", "remove", "add", "seed");
    args.noPositional();
    TetherConfig config = args.config();
    long keys = args.longValue("keys", 1, 100_000_000, -1);
    if (keys < 0) {
      throw new ConfigException("keys", "", "--keys N with N from 1 to 100000000");
    }
    List<Endpoint> after = new ArrayList<>(config.endpoints());
    if (!args.has("remove") && !args.has("add")) {
      throw new ConfigException("simulate", String.join(" ", args.raw), "--remove host:port or --add host:port");
    }
    for (String remove : args.all("remove")) {
      String[] hp = hostPort("remove", remove);
      String address = Inspection.address(hp[0], Integer.parseInt(hp[1]));
      if (!after.removeIf(e -> e.address().equals(address))) {
        throw new ConfigException("remove", remove, "an address among --endpoints");
      }
    }
    for (String add : args.all("add")) {
      Endpoint endpoint = EndpointSyntax.parse("add", add);
      if (after.stream().anyMatch(e -> e.address().equals(endpoint.address()))) {
        throw new ConfigException("add", add, "an address not already among --endpoints");
      }
      after.add(endpoint);
    }
    Routing before = Routing.of(config, config.endpoints());
    Routing changed = Routing.of(config, after);
    SplittableRandom random = new SplittableRandom(args.has("seed") ? args.u64("seed") : 1);
    long moved = 0;
    for (long i = 0; i < keys; i++) {
      long hash = random.nextLong();
      Endpoint a = before.choose(hash, 0);
      Endpoint b = changed.choose(hash, 0);
      if (a == null ? b != null : b == null || !a.address().equals(b.address())) {
        moved++;
      }
    }
    out.println(String.format(Locale.ROOT, "%.6f", (double) moved / keys));
    return OK;
  }

  private int keygen(Args args) {
    args.allow("id");
    args.noPositional();
    String id = args.has("id") ? args.first("id")
        : "k" + DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC).format(clock.instant());
    if (!KeyRing.isKeyId(id)) {
      throw new ConfigException("--id", id, "1 to " + KeyRing.MAX_ID_LENGTH + " of A-Za-z0-9._-");
    }
    byte[] key = new byte[KeyRing.KEY_BYTES];
    keyRandom.nextBytes(key);
    out.println(id + "=" + Base64.getEncoder().encodeToString(key));
    return OK;
  }

  private int seal(Args args) {
    args.allow("sessionSealKeys", "address", "expires");
    args.noPositional();
    KeyRing ring = ring(args);
    args.required("address");
    long expires = args.has("expires") ? args.u64("expires") : 0;
    List<String> values = new ArrayList<>();
    for (String given : args.all("address")) {
      String[] hp = hostPort("address", given);
      int port = Integer.parseInt(hp[1]);
      if (port == 0) {
        throw new ConfigException("address", given, "host:port with a port from 1 to 65535");
      }
      String value = Inspection.seal(ring, Inspection.address(hp[0], port), expires, nonces);
      if (value == null) {
        throw new ConfigException("address", given, "a host of at most 255 bytes");
      }
      values.add(value);
    }
    values.forEach(out::println);
    return OK;
  }

  private int unseal(Args args) {
    args.allow("sessionSealKeys", "now");
    if (args.positional.size() != 1) {
      throw new ConfigException("VALUE", String.join(" ", args.positional), "exactly one value");
    }
    KeyRing ring = ring(args);
    String value = args.positional.get(0);
    long now = args.has("now") ? args.u64("now") : clock.instant().getEpochSecond();
    SessionValue opened = Inspection.unseal(ring, value, now);
    if (opened.isValid()) {
      out.println("address=" + opened.address() + " expires="
          + Long.toUnsignedString(opened.expires()) + " key=" + opened.keyId());
    } else if (Inspection.SEALED_WITH_UNKNOWN_KEY.equals(opened.invalidReason())) {
      out.println("invalid: sealed with key id " + Inspection.sealedKeyId(value)
          + ", which the key ring does not have (it has " + String.join(", ", ring.ids()) + ")");
    } else {
      out.println("invalid: " + opened.invalidReason());
    }
    return OK;
  }

  private static KeyRing ring(Args args) {
    String given = args.required("sessionSealKeys");
    return KeyRing.read(given, Path.of(given).toAbsolutePath().normalize());
  }

  private static String[] hostPort(String flag, String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new ConfigException(flag, text, "host:port ([ipv6]:port)");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0) {
        throw new ConfigException(flag, text, "host:port ([ipv6]:port)");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    try {
      int p = Integer.parseInt(port);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException(port);
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(flag, text, "host:port with a port from 0 to 65535", e);
    }
    return new String[] {host, port};
  }

  static long parseU64(String flag, String text) {
    try {
      return Long.parseUnsignedLong(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(flag, text, "an unsigned 64-bit decimal (0 to 18446744073709551615)", e);
    }
  }

  /** Parsed {@code --name value} flags, in order, plus positional arguments. */
  static final class Args {
    private static final Set<String> BOOLEAN_FLAGS = Set.of();
    final Map<String, List<String>> values = new LinkedHashMap<>();
    final List<String> positional = new ArrayList<>();
    final List<String> raw = new ArrayList<>();

    static Args parse(String[] argv, int from) {
      Args args = new Args();
      for (int i = from; i < argv.length; i++) {
        String a = argv[i];
        args.raw.add(a);
        if (a.startsWith("--") && a.length() > 2) {
          String name = a.substring(2);
          String value = null;
          int equals = name.indexOf('=');
          if (equals > 0) {
            value = name.substring(equals + 1);
            name = name.substring(0, equals);
          } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")
              && !BOOLEAN_FLAGS.contains(name)) {
            value = argv[++i];
            args.raw.add(value);
          }
          args.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        } else {
          args.positional.add(a);
        }
      }
      return args;
    }

    /**
     * Refuses a flag not among {@code names}, as the containers refuse an unknown key: the
     * message names the flag, its value and the flag it most likely misspells.
     */
    void allow(String... names) {
      List<String> allowed = List.of(names);
      for (String name : values.keySet()) {
        if (!allowed.contains(name)) {
          String closest = Spelling.closest(name, allowed);
          throw new ConfigException("--" + name, String.valueOf(first(name)),
              "one of --" + String.join(", --", names)
                  + (closest == null ? "" : "; did you mean --" + closest + "?"));
        }
      }
    }

    void allowConfig(String... extra) {
      List<String> names = new ArrayList<>(Tether.defaults().keySet());
      names.addAll(List.of(extra));
      allow(names.toArray(new String[0]));
    }

    void noPositional() {
      if (!positional.isEmpty()) {
        throw new ConfigException("argument", positional.get(0), "flags only (--name value)");
      }
    }

    TetherConfig config() {
      Map<String, String> keys = new LinkedHashMap<>();
      for (String key : Tether.defaults().keySet()) {
        if (has(key)) {
          keys.put(key, first(key));
        }
      }
      return Cluster.resolvedOnce(Tether.parseConfig(keys, Path.of("")));
    }

    boolean has(String name) {
      List<String> list = values.get(name);
      return list != null && list.get(0) != null;
    }

    boolean hasAny(String... names) {
      for (String name : names) {
        if (values.containsKey(name)) {
          return true;
        }
      }
      return false;
    }

    boolean flag(String name) {
      List<String> list = values.get(name);
      if (list == null) {
        return false;
      }
      if (list.get(0) != null) {
        positional.add(list.get(0));
      }
      return true;
    }

    String first(String name) {
      List<String> list = values.get(name);
      return list == null ? null : list.get(0);
    }

    String required(String name) {
      String value = first(name);
      if (value == null) {
        throw new ConfigException("--" + name, "(missing)", "--" + name + " VALUE");
      }
      return value;
    }

    List<String> all(String name) {
      List<String> list = values.getOrDefault(name, List.of());
      for (String value : list) {
        if (value == null) {
          throw new ConfigException("--" + name, "(missing)", "--" + name + " VALUE");
        }
      }
      return list;
    }

    long u64(String name) {
      return parseU64(name, required(name));
    }

    long longValue(String name, long min, long max, long fallback) {
      if (!values.containsKey(name)) {
        return fallback;
      }
      String text = required(name);
      try {
        long value = Long.parseLong(text);
        if (value >= min && value <= max) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new ConfigException("--" + name, text, "a whole number from " + min + " to " + max);
    }

    <E extends Enum<E>> E enumValue(String name, Class<E> type, E fallback) {
      if (!values.containsKey(name)) {
        return fallback;
      }
      String text = required(name);
      try {
        return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--" + name, text, Arrays.toString(type.getEnumConstants()), e);
      }
    }
  }
}
