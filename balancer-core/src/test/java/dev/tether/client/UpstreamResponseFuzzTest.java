package dev.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.client.ScriptedBackend.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzz target for the upstream client's response parsing (head in {@link UpstreamClient}, body in
 * {@link UpstreamResponse}): a real backend on 127.0.0.1 answers a GET with the input's bytes and
 * closes the connection. A backend's answer decides where the next response on a kept-alive
 * connection starts, so a framing read differently from how another HTTP hop would read it is
 * how responses are smuggled.
 */
final class UpstreamResponseFuzzTest {
  private static volatile byte[] answer = new byte[0];
  private static final ScriptedBackend BACKEND = backend();
  private static final LongSupplier HEAD_TIMEOUT = () -> TimeUnit.SECONDS.toNanos(5);

  @AfterAll
  static void stopBackend() throws IOException {
    BACKEND.close();
  }

  /**
   * Whatever the backend sends, the client either refuses it with a PROTOCOL or RESET failure
   * (a body that breaks off: RESPONSE_BODY), or accepts a response that
   * <ul>
   *   <li>has fields whose names are tokens and whose values, like the reason, hold no CR, LF or
   *       NUL (which a later hop could read as the end of a line);
   *   <li>did not carry both Content-Length and Transfer-Encoding, nor Content-Lengths that
   *       differ (RFC 9112 section 6.3: the framings a smuggling attack plays on);
   *   <li>has exactly the body its framing says: Content-Length bytes after the head, the
   *       decoded chunks, or everything up to the close; handed to the sink in pieces that lie
   *       inside the sink's array, and never more bytes than were sent.
   * </ul>
   */
  @FuzzTest
  void responseHead(byte[] data) throws IOException {
    answer = data;
    try (UpstreamClient client = new UpstreamClient(UpstreamOptions.DEFAULTS)) {
      UpstreamResponse response;
      try {
        response = client.send("127.0.0.1", BACKEND.port(), new UpstreamRequest("GET", "/"),
            HEAD_TIMEOUT);
      } catch (UpstreamException e) {
        assertThat(e.kind()).as(e.getMessage())
            .isIn(UpstreamException.Kind.PROTOCOL, UpstreamException.Kind.RESET);
        return;
      }
      try (response) {
        checkAccepted(data, response);
      }
    }
  }

  private static void checkAccepted(byte[] data, UpstreamResponse response) throws IOException {
    assertThat(response.status()).isBetween(200, 999);
    assertThat(clean(response.reason())).as("reason %s", response.reason()).isTrue();
    for (int i = 0; i < response.size(); i++) {
      assertThat(response.name(i)).isNotEmpty().doesNotContain(":", " ", "\t", "\r", "\n");
      assertThat(clean(response.value(i))).as("value of %s", response.name(i)).isTrue();
    }

    Head head = Head.scan(data);
    assertThat(head.contentLengths.isEmpty() || head.transferEncodings.isEmpty())
        .as("accepted both Content-Length %s and Transfer-Encoding %s", head.contentLengths,
            head.transferEncodings)
        .isTrue();
    assertThat(head.contentLengths.stream().map(UpstreamResponseFuzzTest::digits).distinct())
        .as("accepted differing Content-Lengths %s", head.contentLengths)
        .hasSizeLessThanOrEqualTo(1);

    byte[] rest = Arrays.copyOfRange(data, head.end, data.length);
    Sink sink = new Sink();
    boolean complete;
    try {
      response.transferTo(sink);
      complete = true;
    } catch (UpstreamException e) {
      assertThat(e.kind()).as(e.getMessage()).isEqualTo(UpstreamException.Kind.RESPONSE_BODY);
      complete = false;
    }
    byte[] body = sink.bytes.toByteArray();
    assertThat(body.length).as("body bytes").isLessThanOrEqualTo(rest.length);
    if (complete) {
      assertThat(sink.lastSeen).as("a last piece").isTrue();
    }

    int status = response.status();
    if (status == 204 || status == 304) {
      assertThat(response.hasBody()).isFalse();
      assertThat(body).isEmpty();
    } else if (!head.transferEncodings.isEmpty()) {
      assertThat(response.contentLength()).isEqualTo(-1);
      byte[] reference = Chunked.decode(rest);
      if (head.chunked() && complete && reference != null) {
        assertThat(body).as("decoded chunks").isEqualTo(reference);
      }
      if (!head.chunked()) {
        assertThat(complete).isTrue();
        assertThat(body).isEqualTo(rest);
      }
    } else if (!head.contentLengths.isEmpty()) {
      long length = Long.parseLong(head.contentLengths.get(0).trim());
      assertThat(response.contentLength()).isEqualTo(length);
      if (rest.length >= length) {
        assertThat(complete).isTrue();
        assertThat(body).isEqualTo(Arrays.copyOf(rest, (int) length));
      } else {
        assertThat(complete).as("a body shorter than its Content-Length").isFalse();
      }
    } else {
      assertThat(complete).isTrue();
      assertThat(body).isEqualTo(rest);
    }
  }

  /** No CR, LF or NUL (RFC 9110 section 5.5). */
  private static boolean clean(String text) {
    return text.indexOf('\r') < 0 && text.indexOf('\n') < 0 && text.indexOf('\0') < 0;
  }

  private static String digits(String contentLength) {
    return contentLength.trim().replaceFirst("^0+(?=.)", "");
  }

  /**
   * The final response head of the raw bytes, read independently of the client: lines end at LF
   * (a CR before it dropped), interim 1xx heads are skipped, and the framing fields are every
   * line whose name, whatever the whitespace around it, is Content-Length or Transfer-Encoding.
   */
  private static final class Head {
    final List<String> contentLengths = new ArrayList<>();
    final List<String> transferEncodings = new ArrayList<>();
    int end;

    boolean chunked() {
      String[] codings = String.join(",", transferEncodings).split(",", -1);
      return codings[codings.length - 1].trim().equalsIgnoreCase("chunked");
    }

    static Head scan(byte[] data) {
      int pos = 0;
      while (true) {
        Head head = new Head();
        String statusLine = null;
        while (true) {
          int lf = indexOf(data, (byte) '\n', pos);
          if (lf < 0) {
            return fail("the client accepted a head without its end");
          }
          int lineEnd = lf > pos && data[lf - 1] == '\r' ? lf - 1 : lf;
          String line = new String(data, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
          pos = lf + 1;
          if (statusLine == null) {
            statusLine = line;
            continue;
          }
          if (line.isEmpty()) {
            break;
          }
          int colon = line.indexOf(':');
          String name = (colon < 0 ? line : line.substring(0, colon)).trim()
              .toLowerCase(Locale.ROOT);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (name.equals("content-length")) {
            head.contentLengths.add(value);
          } else if (name.equals("transfer-encoding")) {
            head.transferEncodings.add(value);
          }
        }
        head.end = pos;
        if (statusLine.length() >= 12 && statusLine.charAt(9) == '1') {
          continue; // an interim response: the final one follows
        }
        return head;
      }
    }
  }

  /**
   * A strict chunked decoder (RFC 9112 section 7.1, bare LF allowed as the client allows it):
   * the decoded body, or null when the bytes are not a complete chunked body.
   */
  private static final class Chunked {
    static byte[] decode(byte[] data) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int pos = 0;
      while (true) {
        int lf = indexOf(data, (byte) '\n', pos);
        if (lf < 0) {
          return null;
        }
        String line = line(data, pos, lf);
        pos = lf + 1;
        int semicolon = line.indexOf(';');
        String hex = semicolon < 0 ? line : line.substring(0, semicolon);
        if (hex.isEmpty() || hex.length() > 15
            || !hex.chars().allMatch(c -> c < 128 && Character.digit(c, 16) >= 0)) {
          return null;
        }
        long size = Long.parseLong(hex, 16);
        if (size == 0) {
          while (true) {
            int end = indexOf(data, (byte) '\n', pos);
            if (end < 0) {
              return null;
            }
            String trailer = line(data, pos, end);
            pos = end + 1;
            if (trailer.isEmpty()) {
              return out.toByteArray();
            }
          }
        }
        if (size > data.length - pos) {
          return null;
        }
        out.write(data, pos, (int) size);
        pos += (int) size;
        int end = indexOf(data, (byte) '\n', pos);
        if (end < 0 || !line(data, pos, end).isEmpty()) {
          return null;
        }
        pos = end + 1;
      }
    }

    private static String line(byte[] data, int from, int lf) {
      int end = lf > from && data[lf - 1] == '\r' ? lf - 1 : lf;
      return new String(data, from, end - from, StandardCharsets.ISO_8859_1);
    }
  }

  /** Collects the body and checks every piece lies within the array it is handed in. */
  private static final class Sink implements BodySink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean lastSeen;

    @Override
    public void write(byte[] array, int offset, int length, boolean last) {
      assertThat(lastSeen).as("a piece after the last").isFalse();
      assertThat(offset).isNotNegative();
      assertThat(length).isNotNegative();
      assertThat((long) offset + length).isLessThanOrEqualTo(array.length);
      bytes.write(array, offset, length);
      lastSeen = last;
    }
  }

  private static int indexOf(byte[] data, byte b, int from) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static ScriptedBackend backend() {
    try {
      return new ScriptedBackend(r -> new Answer(answer, true, false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
