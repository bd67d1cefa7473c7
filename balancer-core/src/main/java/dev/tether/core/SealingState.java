package dev.tether.core;

import dev.tether.api.SessionSeal;
import java.time.Duration;
import java.util.List;

/**
 * What a balancer's sealed session values look like from outside the request path: the mode, the
 * key ring in use, the counts JMX shows, and the re-read of the key ring file that the cluster
 * runtime schedules. With sealing off it is {@link #OFF}: mode off, no keys, zero counts, nothing
 * to refresh.
 */
public interface SealingState {

  /** Sealing off: Envoy's plain values. */
  SealingState OFF = new SealingState() {
    @Override
    public SessionSeal.Mode mode() {
      return SessionSeal.Mode.OFF;
    }

    @Override
    public String activeKey() {
      return "";
    }

    @Override
    public List<String> keyIds() {
      return List.of();
    }

    @Override
    public long sealedValues() {
      return 0;
    }

    @Override
    public long plainValuesHonoured() {
      return 0;
    }

    @Override
    public long renewedValues() {
      return 0;
    }

    @Override
    public String lastKeyRingError() {
      return "";
    }

    @Override
    public Duration refreshRate() {
      return Duration.ZERO;
    }

    @Override
    public void refresh() {}
  };

  SessionSeal.Mode mode();

  /** The id of the key that seals new values; empty when off. */
  String activeKey();

  /** The ids of the key ring, active first; empty when off. */
  List<String> keyIds();

  /** Values sealed since start. */
  long sealedValues();

  /** Plain Envoy values honoured in migrate mode. */
  long plainValuesHonoured();

  /** Values that named the serving endpoint and were written again. */
  long renewedValues();

  /** Why the key ring file was last unusable while the last good ring is kept; empty if fine. */
  String lastKeyRingError();

  /** How often the key ring file should be re-read; zero when off. */
  Duration refreshRate();

  /** Re-reads the key ring file, off the request path; keeps the ring when the file is broken. */
  void refresh();
}
