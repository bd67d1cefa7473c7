package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout of this module as the JDK's {@code jdeps} reads it from the compiled classes: the
 * request path ({@code dev.tether.core}) depends on no control-plane package, each package
 * depends only on the ones below it, and no dependency goes round in a circle. A change that
 * makes the hot path reach into the runtime, or two packages reach into each other, fails here
 * rather than in review.
 */
final class PackageLayoutTest {
  private static final Path CLASSES = Path.of("target", "classes");

  /**
   * Every package of ours each of the balancer's packages may use, besides itself and
   * {@code dev.tether.api}. The proxy exchange and its client ({@code dev.tether.exchange},
   * {@code dev.tether.client}) and the front door are held to the no-cycle rule only.
   */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "dev.tether.core", Set.of("dev.tether.core.internal"),
      "dev.tether.core.internal", Set.of(),
      "dev.tether.core.config", Set.of("dev.tether.core", "dev.tether.core.internal"),
      "dev.tether.core.jmx", Set.of("dev.tether.core"),
      "dev.tether.core.cluster", Set.of("dev.tether.core", "dev.tether.core.config",
          "dev.tether.core.jmx", "dev.tether.core.internal"));

  private static Map<String, Set<String>> graph;

  @BeforeAll
  static void readDependencies() {
    assertThat(Files.isDirectory(CLASSES)).as("%s (run after compile)", CLASSES).isTrue();
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = jdeps.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        "-verbose:package", "-filter:none", "-e", "dev\\.tether\\..*", CLASSES.toString());
    assertThat(exit).as("jdeps: %s", err.toString(StandardCharsets.UTF_8)).isZero();
    graph = new TreeMap<>();
    try (var files = Files.walk(CLASSES)) {
      files.filter(file -> file.toString().endsWith(".class"))
          .map(file -> CLASSES.relativize(file.getParent()).toString().replace(file.getFileSystem()
              .getSeparator(), "."))
          .forEach(name -> graph.computeIfAbsent(name, k -> new TreeSet<>()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Matcher edge = Pattern.compile("(?m)^\\s+(dev\\.tether[\\w.]*)\\s+->\\s+(dev\\.tether[\\w.]*)\\s")
        .matcher(out.toString(StandardCharsets.UTF_8));
    while (edge.find()) {
      String from = edge.group(1);
      String to = edge.group(2);
      graph.computeIfAbsent(from, k -> new TreeSet<>());
      if (!from.equals(to) && !to.equals("dev.tether.api")) {
        graph.get(from).add(to);
      }
    }
  }

  @Test
  void eachPackageOfTheBalancerDependsOnlyOnThePackagesBelowIt() {
    assertThat(graph.keySet()).containsAll(ALLOWED.keySet());
    graph.keySet().stream().filter(name -> name.startsWith("dev.tether.core"))
        .forEach(name -> assertThat(ALLOWED).as("a rule for new package %s", name)
            .containsKey(name));
    ALLOWED.forEach((from, allowed) -> assertThat(graph.get(from))
        .as("what %s depends on", from)
        .isSubsetOf(allowed));
  }

  @Test
  void theRequestPathDependsOnNoControlPlanePackage() {
    assertThat(graph.get("dev.tether.core")).doesNotContain("dev.tether.core.config",
        "dev.tether.core.cluster", "dev.tether.core.jmx", "dev.tether");
  }

  @Test
  void noDependencyGoesRoundInACircle() {
    for (String start : graph.keySet()) {
      List<String> path = new ArrayList<>();
      path.add(start);
      assertThat(cycleFrom(start, start, path, new TreeSet<>()))
          .as("a cycle through %s", start).isEmpty();
    }
  }

  /** A path from {@code at} back to {@code start}, or an empty list when there is none. */
  private static List<String> cycleFrom(String start, String at, List<String> path,
      Set<String> seen) {
    for (String next : graph.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        List<String> cycle = new ArrayList<>(path);
        cycle.add(start);
        return cycle;
      }
      if (seen.add(next)) {
        path.add(next);
        List<String> found = cycleFrom(start, next, path, seen);
        if (!found.isEmpty()) {
          return found;
        }
        path.remove(path.size() - 1);
      }
    }
    return List.of();
  }
}
