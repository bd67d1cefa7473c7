package dev.tether.core;

import dev.tether.api.SessionConfig;
import dev.tether.api.SessionSeal;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sealed session values for one balancer: which values it reads, what it writes, and the key ring
 * it uses, kept current from the {@code sessionSealKeys} file. The ring is immutable and published
 * through one volatile field; {@link #refresh()} runs off the request path (the cluster
 * scheduler, every {@code fileRefreshRate}), re-parses the file only when its content changed, and
 * keeps the last good ring when the file is broken, saying why in the log and in JMX.
 */
final class SessionSealing implements SealingState {
  private static final System.Logger LOG = System.getLogger(SessionSealing.class.getName());

  private final SessionSeal seal;
  private final SessionConfig.Mode where;
  private final Path file;
  private final NonceSource nonces;
  /** Lifetime sealed into each value, in seconds; 0 for none. */
  private final long ttlSeconds;
  private volatile KeyRing ring;
  private volatile String lastError = "";
  /** The content last parsed (guarded by {@code this}), so an unchanged file is not parsed. */
  private long contentHash;
  /** Whether that content was a good ring (guarded by {@code this}). */
  private boolean contentValid = true;

  /** Values sealed since start. */
  final LongAdder seals = new LongAdder();
  /** Plain Envoy values honoured in migrate mode. */
  final LongAdder plainHonoured = new LongAdder();
  /** Values that named the serving endpoint and were written again (plain, old key, half-life). */
  final LongAdder renewals = new LongAdder();

  private SessionSealing(SessionConfig session, NonceSource nonces, KeyRing ring, long hash) {
    this.seal = session.seal();
    this.where = session.mode();
    this.file = Path.of(seal.keysFile());
    this.nonces = nonces;
    long ttl = seal.ttl().getSeconds();
    if (ttl == 0 && session.mode() == SessionConfig.Mode.COOKIE) {
      // A sealed cookie keeps the expiry Envoy's plain cookie would carry.
      ttl = session.ttl().getSeconds();
    }
    this.ttlSeconds = ttl;
    this.ring = ring;
    this.contentHash = hash;
  }

  /**
   * The sealing of {@code session}, with its key ring read now; null when sealing is off.
   *
   * @throws ConfigException naming {@code sessionSealKeys} when the ring cannot be used
   */
  static SessionSealing create(SessionConfig session, NonceSource nonces) {
    SessionSeal seal = session.seal();
    if (!seal.enabled()) {
      return null;
    }
    Path file = Path.of(seal.keysFile());
    byte[] content;
    KeyRing ring;
    try {
      content = KeyRingFile.read(file);
      ring = KeyRing.parse(KeyRingFile.text(content));
    } catch (KeyRing.InvalidRing e) {
      throw KeyRingFile.startupError(seal.keysFile(), file, e);
    }
    return new SessionSealing(session, nonces, ring, XxHash64.hash(content, 0, content.length, 0));
  }

  /**
   * Reads a request's session value: sealed only, or in migrate mode also Envoy's plain formats
   * (a value whose first character is not a sealed value's).
   */
  SessionValue open(String raw, long nowSeconds) {
    if (seal.mode() == SessionSeal.Mode.MIGRATE && !SealedValue.looksSealed(raw)) {
      return where == SessionConfig.Mode.COOKIE
          ? SessionCodec.decodeCookie(raw, nowSeconds)
          : SessionCodec.decodeHeader(raw);
    }
    return SealedValue.open(ring, raw, nowSeconds);
  }

  /**
   * Whether a value that names the serving endpoint must still be written again: it is plain
   * (migrate mode), sealed with a key that is no longer the active one, or past half of its sealed
   * lifetime (so an active session keeps its value alive, at most one seal per half-life).
   */
  boolean needsRenewal(SessionValue value, long nowSeconds) {
    if (!value.isSealed()) {
      return true;
    }
    if (!value.keyId().equals(ring.active().id)) {
      return true;
    }
    return ttlSeconds != 0 && value.expires() != 0
        && Long.compareUnsigned(value.expires() - nowSeconds, ttlSeconds / 2) < 0;
  }

  /** A new sealed value for {@code address}; null when it cannot be packed (never an endpoint). */
  String seal(String address, long nowSeconds) {
    long expires = ttlSeconds == 0 ? 0 : nowSeconds + ttlSeconds;
    String value = SealedValue.seal(ring, address, expires, nonces);
    if (value != null) {
      seals.increment();
    }
    return value;
  }

  /**
   * Re-reads the key ring file; acts only when its content changed. A file that cannot be read or
   * parsed keeps the current ring; the reason is logged once per distinct problem.
   */
  @Override
  public void refresh() {
    byte[] content;
    try {
      content = KeyRingFile.read(file);
    } catch (KeyRing.InvalidRing e) {
      failed(e.getMessage());
      return;
    }
    long hash = XxHash64.hash(content, 0, content.length, 0);
    synchronized (this) {
      if (hash == contentHash) {
        if (contentValid) {
          lastError = "";
        }
        return;
      }
      contentHash = hash;
      contentValid = false;
    }
    KeyRing next;
    try {
      next = KeyRing.parse(KeyRingFile.text(content));
    } catch (KeyRing.InvalidRing e) {
      failed(e.getMessage());
      return;
    }
    synchronized (this) {
      contentValid = true;
    }
    ring = next;
    LOG.log(Level.INFO, "sessionSealKeys " + file + ": key ring read again, active key "
        + next.active().id + ", " + next.size() + (next.size() == 1 ? " key" : " keys"));
    lastError = "";
  }

  private void failed(String problem) {
    String message = "sessionSealKeys " + file + ": " + problem + "; keeping the key ring with"
        + " active key " + ring.active().id;
    if (!message.equals(lastError)) {
      LOG.log(Level.WARNING, message);
    }
    lastError = message;
  }

  KeyRing ring() {
    return ring;
  }

  @Override
  public SessionSeal.Mode mode() {
    return seal.mode();
  }

  long ttlSeconds() {
    return ttlSeconds;
  }

  @Override
  public String activeKey() {
    return ring.activeId();
  }

  @Override
  public List<String> keyIds() {
    return ring.ids();
  }

  @Override
  public long sealedValues() {
    return seals.sum();
  }

  @Override
  public long plainValuesHonoured() {
    return plainHonoured.sum();
  }

  @Override
  public long renewedValues() {
    return renewals.sum();
  }

  /** Why the key ring file was last unusable; empty when its last read worked. */
  @Override
  public String lastKeyRingError() {
    return lastError;
  }

  @Override
  public Duration refreshRate() {
    return seal.refreshRate();
  }
}
