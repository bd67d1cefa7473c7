package dev.tether.core.cluster;

import dev.tether.api.Endpoint;
import dev.tether.core.config.EndpointsFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code file:PATH} source: every refresh reads the file and acts only when its content
 * changed. A file that cannot be read or parsed keeps the last good set, and the reason is
 * logged once per distinct problem.
 */
final class FileDiscovery {
  private final Path path;
  private final ClusterRuntime runtime;
  /** The content last seen (null before the first read), and whether it was a good list. */
  private byte[] lastContent;
  private boolean lastValid;

  FileDiscovery(Path path, ClusterRuntime runtime) {
    this.path = path;
    this.runtime = runtime;
  }

  synchronized void refresh() {
    byte[] content;
    try {
      content = EndpointsFile.read(path);
    } catch (EndpointsFile.InvalidFile e) {
      failed(e.getMessage());
      return;
    }
    if (lastContent != null && Arrays.equals(content, lastContent)) {
      if (lastValid) {
        runtime.status().succeeded();
      }
      return;
    }
    lastContent = content;
    lastValid = false;
    List<Endpoint> endpoints;
    try {
      endpoints = EndpointsFile.parse(content);
    } catch (EndpointsFile.InvalidFile e) {
      failed(e.getMessage());
      return;
    }
    lastValid = true;
    runtime.discovered(endpoints);
    runtime.status().succeeded();
  }

  private void failed(String problem) {
    runtime.status().failed(problem + "; keeping the last good set of " + runtime.hostCount()
        + " endpoints");
  }
}
