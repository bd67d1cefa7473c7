package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code modules/tether.mod} and {@code etc/tether.xml} in step with the core: every key of
 * {@link Tether#defaults()} is documented in the ini template with its default, and passed on by
 * the XML; no stale key lingers in either.
 */
final class TetherModuleFilesTest {
  private static final Path JETTY = Path.of("src/main/jetty");

  @Test
  void iniTemplateListsEveryKeyCommentedOutWithItsDefaultInOrder() throws IOException {
    Map<String, String> template = new LinkedHashMap<>();
    Matcher line = Pattern.compile("(?m)^# tether\\.([A-Za-z0-9]+)=(.*)$").matcher(section("ini-template"));
    while (line.find()) {
      template.put(line.group(1), line.group(2));
    }
    StringBuilder expected = new StringBuilder();
    Tether.defaults().forEach((key, value) ->
        expected.append("# tether.").append(key).append('=').append(value).append('\n'));
    assertThat(Tether.defaults()).isNotEmpty();
    assertThat(template)
        .as("tether.mod [ini-template] must carry exactly these lines:%n%s", expected)
        .containsExactlyEntriesOf(Tether.defaults());
  }

  @Test
  void iniTemplateSetsNothing() throws IOException {
    for (String line : section("ini-template").split("\n")) {
      assertThat(line).as("uncommented line in [ini-template]").matches("|#.*");
    }
  }

  @Test
  void moduleDependsOnEveryModuleItsClassesNeed() throws IOException {
    assertThat(lines(section("depend"))).containsExactlyInAnyOrder("server", "http", "client", "proxy");
    assertThat(lines(section("lib"))).containsExactly("lib/tether/*.jar");
    assertThat(lines(section("xml"))).containsExactly("etc/tether.xml");
  }

  @Test
  void moduleTurnsJettysHeaderCacheOffOnlyAsADefault() throws IOException {
    assertThat(lines(section("ini")))
        .containsExactly("jetty.httpConfig.headerCacheSize?=0");
  }

  @Test
  void xmlPassesEveryKeyFromItsTetherProperty() throws IOException {
    String xml = Files.readString(JETTY.resolve("etc/tether.xml"));
    Matcher put = Pattern.compile(
        "<Call name=\"put\"><Arg>([A-Za-z0-9]+)</Arg><Arg><Property name=\"tether\\.([A-Za-z0-9]+)\"/></Arg></Call>")
        .matcher(xml);
    List<String> keys = new ArrayList<>();
    while (put.find()) {
      assertThat(put.group(2)).isEqualTo(put.group(1));
      keys.add(put.group(1));
    }
    assertThat(keys).containsExactlyElementsOf(Tether.defaults().keySet());
  }

  @Test
  void servletModuleLoadsTetherAndJettysProxyServletInTheEe10Environment() throws IOException {
    String mod = "tether-ee10.mod";
    assertThat(lines(section(mod, "environment"))).containsExactly("ee10");
    assertThat(lines(section(mod, "depend"))).containsExactlyInAnyOrder("client", "ee10-servlet");
    assertThat(lines(section(mod, "lib")))
        .containsExactly("lib/jetty-ee10-proxy-${jetty.version}.jar", "lib/tether/*.jar");
  }

  private static String section(String name) throws IOException {
    return section("tether.mod", name);
  }

  private static String section(String file, String name) throws IOException {
    String mod = Files.readString(JETTY.resolve("modules").resolve(file));
    Matcher section = Pattern.compile("(?ms)^\\[" + Pattern.quote(name) + "\\]\\n(.*?)(?=^\\[|\\z)")
        .matcher(mod);
    assertThat(section.find()).as("[%s] in %s", name, file).isTrue();
    return section.group(1);
  }

  private static List<String> lines(String section) {
    List<String> lines = new ArrayList<>();
    for (String line : section.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        lines.add(line.trim());
      }
    }
    return lines;
  }
}
