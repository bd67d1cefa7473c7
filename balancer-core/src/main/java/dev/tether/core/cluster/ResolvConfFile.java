package dev.tether.core.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xbill.DNS.config.ResolvConfResolverConfigProvider;

/**
 * One reading of a {@code resolv.conf}: dnsjava's parser ({@code nameserver}, {@code search} and
 * {@code domain}, {@code options ndots:N}, and the {@code LOCALDOMAIN} and {@code RES_OPTIONS}
 * environment variables, as the C library reads them), pointed at a file of our choosing. dnsjava
 * reads the file only through its process-wide configuration, which it keeps until told to
 * refresh; Tether reads it again on every refresh, as the C library does when the file changes.
 */
final class ResolvConfFile extends ResolvConfResolverConfigProvider {
  private ResolvConfFile() {}

  /**
   * The file's settings; a file that does not exist reads as an empty one (no servers, no search
   * domains, {@code ndots:1}).
   */
  static ResolvConfFile read(Path path) throws IOException {
    ResolvConfFile file = new ResolvConfFile();
    if (Files.exists(path)) {
      try (InputStream in = Files.newInputStream(path)) {
        file.parseResolvConf(in);
      }
    }
    return file;
  }
}
