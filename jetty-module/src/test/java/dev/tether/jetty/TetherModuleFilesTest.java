package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Tether;
import dev.tether.core.config.ConfigKey;
import dev.tether.core.config.ConfigKeys;
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
 * Keeps {@code modules/tether.mod} and {@code etc/tether.xml} generated from the core's one key
 * table ({@link ConfigKeys}): the ini template is every key, commented out with its default and
 * its documentation line, in table order; the XML passes every key from its {@code tether.}
 * property; no stale key lingers in either. Run with {@code -Dtether.writeDocs=true} to rewrite
 * both from the table after changing it.
 */
final class TetherModuleFilesTest {
  private static final Path JETTY = Path.of("src/main/jetty");
  private static final boolean WRITE = Boolean.getBoolean("tether.writeDocs");
  private static final int WIDTH = 100;

  @Test
  void iniTemplateListsEveryKeyCommentedOutWithItsDefaultInOrder() throws IOException {
    Map<String, String> template = new LinkedHashMap<>();
    Matcher line = Pattern.compile("(?m)^# tether\\.([A-Za-z0-9.]+)=(.*)$").matcher(section("ini-template"));
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
  void iniTemplateIsGeneratedFromTheKeyTable() throws IOException {
    Path mod = JETTY.resolve("modules/tether.mod");
    String text = Files.readString(mod);
    Matcher section = Pattern.compile("(?ms)^\\[ini-template\\]\\n(.*?)(?=^\\[|\\z)").matcher(text);
    assertThat(section.find()).isTrue();
    String expected = iniTemplate();
    if (WRITE && !section.group(1).equals(expected)) {
      Files.writeString(mod, text.substring(0, section.start(1)) + expected
          + text.substring(section.end(1)));
      text = Files.readString(mod);
    }
    assertThat(section("ini-template"))
        .as("tether.mod's [ini-template] (rewrite it with -Dtether.writeDocs=true)")
        .isEqualTo(expected);
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
    assertThat(lines(section("xml"))).containsExactly("etc/tether-check.xml", "etc/tether.xml");
  }

  @Test
  void moduleTurnsJettysHeaderCacheOffOnlyAsADefault() throws IOException {
    assertThat(lines(section("ini")))
        .containsExactly("jetty.httpConfig.headerCacheSize?=0");
  }

  @Test
  void xmlPassesEveryKeyFromItsTetherProperty() throws IOException {
    Path file = JETTY.resolve("etc/tether.xml");
    String xml = Files.readString(file);
    Matcher block = Pattern.compile(
        "(?s)(<New id=\"TetherProperties\" class=\"java.util.LinkedHashMap\">\\n)(.*?)(  </New>)")
        .matcher(xml);
    assertThat(block.find()).as("the TetherProperties map in tether.xml").isTrue();
    String expected = xmlPuts();
    if (WRITE && !block.group(2).equals(expected)) {
      Files.writeString(file, xml.substring(0, block.start(2)) + expected
          + xml.substring(block.end(2)));
      xml = Files.readString(file);
    }
    Matcher put = Pattern.compile(
        "<Call name=\"put\"><Arg>([A-Za-z0-9.]+)</Arg><Arg><Property name=\"tether\\.([A-Za-z0-9.]+)\"/></Arg></Call>")
        .matcher(xml);
    List<String> keys = new ArrayList<>();
    while (put.find()) {
      assertThat(put.group(2)).isEqualTo(put.group(1));
      keys.add(put.group(1));
    }
    assertThat(keys).containsExactlyElementsOf(Tether.defaults().keySet());
    assertThat(xml).as("tether.xml's put lines (rewrite them with -Dtether.writeDocs=true)")
        .contains(expected);
  }

  @Test
  void theCheckRunsBeforeTheKeysAreRead() throws IOException {
    String check = Files.readString(JETTY.resolve("etc/tether-check.xml"));
    assertThat(check).containsOnlyOnce("<" + TetherPropertyCheck.TAG + "/>");
    assertThat(Files.readString(Path.of(
        "src/main/resources/META-INF/services/org.eclipse.jetty.xml.ConfigurationProcessorFactory")))
        .isEqualTo(TetherPropertyCheck.class.getName() + "\n");
  }

  @Test
  void servletModuleLoadsTetherAndJettysProxyServletInTheEe10Environment() throws IOException {
    String mod = "tether-ee10.mod";
    assertThat(lines(section(mod, "environment"))).containsExactly("ee10");
    assertThat(lines(section(mod, "depend"))).containsExactlyInAnyOrder("client", "ee10-servlet");
    assertThat(lines(section(mod, "lib")))
        .containsExactly("lib/jetty-ee10-proxy-${jetty.version}.jar", "lib/tether/*.jar");
  }

  /**
   * The [ini-template] section: a fixed header, then every key of the table as its
   * documentation line (Markdown removed, wrapped) and the key commented out with its default.
   */
  private static String iniTemplate() {
    StringBuilder out = new StringBuilder();
    out.append("# tag::documentation[]\n");
    comment(out, "Tether reverse proxy. Every key is optional except tether.endpoints; the values"
        + " shown are the defaults. A bad value, or a tether.* property that is not one of these"
        + " keys, stops the server with \"key: value (expected: ...)\" in the log. Durations use"
        + " Istio's syntax: 0s, 500ms, 30s, 1h, 1h30m. Relative paths are read from jetty.base.");
    for (ConfigKey<?> key : ConfigKeys.all()) {
      out.append('\n');
      comment(out, plain(key.documentation()));
      out.append("# tether.").append(key.name()).append('=').append(key.defaultText())
          .append('\n');
    }
    return out.append("# end::documentation[]\n").toString();
  }

  /** {@code text} as {@code ## } lines of at most {@link #WIDTH} characters. */
  private static void comment(StringBuilder out, String text) {
    StringBuilder line = new StringBuilder("##");
    for (String word : text.split(" ")) {
      if (line.length() + 1 + word.length() > WIDTH && line.length() > 2) {
        out.append(line).append('\n');
        line = new StringBuilder("##");
      }
      line.append(' ').append(word);
    }
    out.append(line).append('\n');
  }

  /** Markdown as plain text: code marks dropped, links as their text. */
  private static String plain(String markdown) {
    return markdown.replace("`", "").replaceAll("\\[([^\\]]*)\\]\\(#[^)]*\\)", "$1");
  }

  private static String xmlPuts() {
    StringBuilder out = new StringBuilder();
    for (ConfigKey<?> key : ConfigKeys.all()) {
      out.append("    <Call name=\"put\"><Arg>").append(key.name())
          .append("</Arg><Arg><Property name=\"tether.").append(key.name())
          .append("\"/></Arg></Call>\n");
    }
    return out.toString();
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
