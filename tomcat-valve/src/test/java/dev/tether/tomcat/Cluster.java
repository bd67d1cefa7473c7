package dev.tether.tomcat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Three backends that are endpoints, and a decoy that is not: a request reaching the decoy means
 * the valve connected to an address no endpoint has.
 */
final class Cluster implements AutoCloseable {
  final List<Backend> backends = new ArrayList<>();
  final Backend decoy;

  Cluster() throws IOException {
    try {
      for (String name : List.of("b1", "b2", "b3")) {
        backends.add(new Backend(name));
      }
      decoy = new Backend("decoy");
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  /** The {@code endpoints} attribute naming the three backends. */
  String endpoints() {
    return backends.stream().map(Backend::address).collect(Collectors.joining(","));
  }

  Backend named(String name) {
    Optional<Backend> match = backends.stream().filter(b -> b.name.equals(name)).findFirst();
    return match.orElseThrow(() -> new AssertionError("no backend " + name));
  }

  @Override
  public void close() {
    backends.forEach(Backend::close);
    if (decoy != null) {
      decoy.close();
    }
  }
}
