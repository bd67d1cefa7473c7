package dev.tether.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scrape of a Prometheus metrics endpoint, read from the text exposition format 0.0.4 (what
 * the JMX exporter agent answers a request without an {@code Accept} header): every family's
 * {@code # TYPE} and {@code # HELP}, and every sample by name and labels.
 *
 * <p>Written here because no maintained Java library reads the format (Prometheus's own parser
 * is Go's {@code expfmt}; client_java only writes it). It reads the whole grammar of a sample line
 * (labels with the {@code \\}, {@code \"} and {@code \n} escapes, {@code +Inf}, {@code NaN}, an
 * optional timestamp) and fails on any line it cannot read, so that a change in the agent's
 * output fails a test instead of going unread.
 */
public final class PrometheusScrape {

  /** One sample line: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final String text;
  private final Map<String, String> types;
  private final Map<String, String> helps;
  private final List<Sample> samples;

  private PrometheusScrape(String text, Map<String, String> types, Map<String, String> helps,
      List<Sample> samples) {
    this.text = text;
    this.types = types;
    this.helps = helps;
    this.samples = samples;
  }

  /**
   * {@code GET metrics} and its parsed body.
   *
   * @throws UncheckedIOException when nothing answers
   * @throws IllegalStateException when the answer is not a 200 in the text format
   */
  public static PrometheusScrape fetch(URI metrics) {
    HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET()
        .build();
    HttpResponse<String> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + metrics + ": no response", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: GET " + metrics, e);
    }
    String contentType = response.headers().firstValue("content-type").orElse("");
    if (response.statusCode() != 200 || !contentType.startsWith("text/plain")) {
      throw new IllegalStateException("GET " + metrics + ": " + response.statusCode() + " "
          + contentType + " (expected: 200 text/plain; version=0.0.4)");
    }
    return parse(response.body());
  }

  /**
   * Parses a body in the text format.
   *
   * @throws IllegalArgumentException naming the first line that is not in the format
   */
  public static PrometheusScrape parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      try {
        if (line.isBlank()) {
          continue;
        }
        if (line.startsWith("# TYPE ") || line.startsWith("# HELP ")) {
          String rest = line.substring(7);
          int space = rest.indexOf(' ');
          String family = space < 0 ? rest : rest.substring(0, space);
          String value = space < 0 ? "" : rest.substring(space + 1);
          if (line.startsWith("# TYPE ")) {
            types.put(family, value);
          } else {
            helps.put(family, unescape(value, false));
          }
        } else if (!line.startsWith("#")) {
          samples.add(new SampleReader(line).read());
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + (i + 1) + ": " + line + " (expected: the"
            + " Prometheus text format 0.0.4): " + e.getMessage(), e);
      }
    }
    return new PrometheusScrape(text, types, helps, List.copyOf(samples));
  }

  /** The body as scraped, for messages. */
  public String text() {
    return text;
  }

  /** The {@code # TYPE} of {@code family}: {@code counter}, {@code gauge}, ... */
  public Optional<String> type(String family) {
    return Optional.ofNullable(types.get(family));
  }

  /** The {@code # HELP} text of {@code family}, unescaped. */
  public Optional<String> help(String family) {
    return Optional.ofNullable(helps.get(family));
  }

  /** Every family with a {@code # TYPE} line, sorted. */
  public Set<String> families() {
    return new TreeSet<>(types.keySet());
  }

  /** The samples named {@code name}, in the order scraped. */
  public List<Sample> samples(String name) {
    List<Sample> named = new ArrayList<>();
    for (Sample sample : samples) {
      if (sample.name().equals(name)) {
        named.add(sample);
      }
    }
    return named;
  }

  /**
   * The value of the one sample named {@code name} whose labels include {@code labels}.
   *
   * @throws IllegalStateException when no sample or more than one matches
   */
  public double value(String name, Map<String, String> labels) {
    Sample found = null;
    for (Sample sample : samples(name)) {
      if (sample.labels().entrySet().containsAll(labels.entrySet())) {
        if (found != null) {
          throw new IllegalStateException(name + labels + ": more than one sample");
        }
        found = sample;
      }
    }
    if (found == null) {
      throw new IllegalStateException(name + labels + ": no sample");
    }
    return found.value();
  }

  /** The sum of every sample named {@code name}; 0 when there is none. */
  public double sum(String name) {
    double sum = 0;
    for (Sample sample : samples(name)) {
      sum += sample.value();
    }
    return sum;
  }

  private static String unescape(String value, boolean quotes) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '\\' || i + 1 == value.length()) {
        out.append(c);
        continue;
      }
      char next = value.charAt(++i);
      switch (next) {
        case 'n' -> out.append('\n');
        case '\\' -> out.append('\\');
        case '"' -> {
          if (!quotes) {
            out.append('\\');
          }
          out.append('"');
        }
        default -> out.append('\\').append(next);
      }
    }
    return out.toString();
  }

  /** Reads one sample line left to right. */
  private static final class SampleReader {
    private final String line;
    private int at;

    SampleReader(String line) {
      this.line = line;
    }

    Sample read() {
      String name = name();
      Map<String, String> labels = new LinkedHashMap<>();
      if (peek() == '{') {
        at++;
        while (peek() != '}') {
          String label = name();
          expect('=');
          labels.put(label, quoted());
          if (peek() == ',') {
            at++;
          } else if (peek() != '}') {
            throw new IllegalArgumentException("expected , or } at " + at);
          }
        }
        at++;
      }
      expect(' ');
      String[] rest = line.substring(at).trim().split(" +");
      if (rest.length > 2) {
        throw new IllegalArgumentException("expected a value and at most a timestamp");
      }
      if (rest.length == 2) {
        Long.parseLong(rest[1]);
      }
      return new Sample(name, Map.copyOf(labels), number(rest[0]));
    }

    private String name() {
      int start = at;
      while (at < line.length()) {
        char c = line.charAt(at);
        boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':';
        boolean digit = c >= '0' && c <= '9';
        if (!letter && !(digit && at > start)) {
          break;
        }
        at++;
      }
      if (at == start) {
        throw new IllegalArgumentException("expected a name at " + at);
      }
      return line.substring(start, at);
    }

    private String quoted() {
      expect('"');
      int start = at;
      while (at < line.length() && line.charAt(at) != '"') {
        at += line.charAt(at) == '\\' ? 2 : 1;
      }
      if (at >= line.length()) {
        throw new IllegalArgumentException("unterminated label value");
      }
      String raw = line.substring(start, at);
      at++;
      return unescape(raw, true);
    }

    private char peek() {
      if (at >= line.length()) {
        throw new IllegalArgumentException("line ends at " + at);
      }
      return line.charAt(at);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + at);
      }
      at++;
    }

    private static double number(String token) {
      return switch (token) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> Double.parseDouble(token);
      };
    }
  }
}
