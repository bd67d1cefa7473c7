package dev.tether.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two consistent-hash algorithms, each as the Istio {@code DestinationRule} a user would write
 * for the walkthrough's cookie: {@code httpCookie {name: sticky-session-key, ttl: 0s}}.
 */
enum HashAlgorithm {
  /** No algorithm named: Istio's default, ring hash. */
  RING_HASH(""),
  MAGLEV("""
              maglev:
                tableSize: 65537
      """);

  static final String COOKIE = "sticky-session-key";

  private final String algorithmYaml;

  HashAlgorithm(String algorithmYaml) {
    this.algorithmYaml = algorithmYaml;
  }

  /** The DestinationRule, as YAML. */
  String destinationRule() {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: helloworld
        spec:
          host: helloworld
          trafficPolicy:
            loadBalancer:
              consistentHash:
                httpCookie:
                  name: %s
                  ttl: 0s
        %s""".formatted(COOKIE, algorithmYaml);
  }

  /** Writes the DestinationRule into {@code dir} and returns its absolute path. */
  Path writeDestinationRule(Path dir) {
    try {
      Path file = dir.resolve("destination-rule-" + name().toLowerCase() + ".yaml");
      Files.writeString(file, destinationRule(), StandardCharsets.UTF_8);
      return file.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
