package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration reference is the user's contract: every key must be in it. */
final class ReadmeKeysTest {

  @Test
  void readmeConfigurationReferenceListsEveryKey() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String key : Tether.defaults().keySet()) {
      assertThat(readme).as("README row for %s", key).contains("| `" + key + "` |");
    }
  }
}
