package dev.tether.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference is the user's contract: it is the key table
 * ({@link ConfigKeys}) rendered, row for row. Run with {@code -Dtether.writeDocs=true} to rewrite
 * it from the table after changing the table.
 */
final class ReadmeKeysTest {
  private static final Path README = Path.of("..", "README.md");
  private static final String HEADER = "| key | default | meaning | Istio / Envoy equivalent |\n"
      + "|---|---|---|---|\n";

  @Test
  void readmeConfigurationReferenceListsEveryKey() throws IOException {
    String readme = Files.readString(README);
    for (String key : Tether.defaults().keySet()) {
      assertThat(readme).as("README row for %s", key).contains("| `" + key + "` |");
    }
  }

  @Test
  void readmeConfigurationTableIsTheKeyTable() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf(HEADER, readme.indexOf("## Configuration reference"));
    assertThat(start).as("the configuration table under ## Configuration reference").isPositive();
    int end = start;
    while (end < readme.length() && readme.charAt(end) == '|') {
      end = readme.indexOf('\n', end) + 1;
    }
    String expected = table();
    if (Boolean.getBoolean("tether.writeDocs") && !readme.substring(start, end).equals(expected)) {
      Files.writeString(README, readme.substring(0, start) + expected + readme.substring(end));
      readme = Files.readString(README);
    }
    assertThat(readme.substring(start, start + Math.min(expected.length(), readme.length() - start)))
        .as("README's configuration table (rewrite it with -Dtether.writeDocs=true)")
        .isEqualTo(expected);
  }

  private static String table() {
    StringBuilder out = new StringBuilder(HEADER);
    for (ConfigKey<?> key : ConfigKeys.all()) {
      out.append("| `").append(key.name()).append("` | ").append(shownDefault(key)).append(" | ")
          .append(key.documentation()).append(" | ").append(key.equivalent()).append(" |\n");
    }
    return out.toString();
  }

  /** {@code `10s`}, {@code `0` (off)}, {@code (required)}, {@code (off)} or {@code (none)}. */
  private static String shownDefault(ConfigKey<?> key) {
    String note = key.defaultNote();
    if (key.defaultText().isEmpty()) {
      return "(" + (note.isEmpty() ? "none" : note) + ")";
    }
    return "`" + key.defaultText() + "`" + (note.isEmpty() ? "" : " (" + note + ")");
  }
}
