package dev.tether.core;

import dev.tether.Tether;
import dev.tether.api.Endpoint;
import dev.tether.api.TetherConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small builders shared by the tests of every package of the core. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code 127.0.0.1:<from>..<to>} as an endpoints value. */
  public static String hosts(int from, int to) {
    List<String> list = new ArrayList<>();
    for (int p = from; p <= to; p++) {
      list.add("127.0.0.1:" + p);
    }
    return String.join(",", list);
  }

  public static TetherConfig config(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return Tether.parseConfig(map);
  }

  static ClusterSnapshot snapshot(String... keyValues) {
    TetherConfig config = config(keyValues);
    return ClusterSnapshot.build(config, config.endpoints(), new InFlight());
  }

  static ClusterSnapshot snapshot(TetherConfig config, List<Endpoint> endpoints) {
    return ClusterSnapshot.build(config, endpoints, new InFlight());
  }

  /** Parses an unsigned decimal. */
  public static long u64(String decimal) {
    return Long.parseUnsignedLong(decimal);
  }
}
