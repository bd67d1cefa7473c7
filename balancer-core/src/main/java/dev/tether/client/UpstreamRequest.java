package dev.tether.client;

import dev.tether.api.HeaderSink;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One request to a backend: method, request target, header fields in order, and a body. The
 * client adds the framing itself ({@code Content-Length} or chunked, and {@code Host} when none
 * is given), so fields of those names given here are ignored.
 *
 * <p>It is the exchange's {@link HeaderSink} for the proxy -> server request, so the fields the
 * exchange writes go straight into the list the client sends, with no copy in between.
 */
public final class UpstreamRequest implements HeaderSink {
  private final String method;
  private final String target;
  private final List<String> fields = new ArrayList<>(32);
  private InputStream body;
  private long length;
  private boolean upgrade;
  private volatile boolean bodyTouched;

  /**
   * @param target the origin-form target, path and query ({@code /cart?id=1}), as the client sent
   *     it
   */
  public UpstreamRequest(String method, String target) {
    this.method = Objects.requireNonNull(method, "method");
    this.target = Objects.requireNonNull(target, "target");
  }

  /** Adds a header field; one field per call, so repeated fields keep their order. */
  public UpstreamRequest header(String name, String value) {
    if (name != null && value != null) {
      fields.add(name);
      fields.add(value);
    }
    return this;
  }

  @Override
  public void add(String name, String value) {
    header(name, value);
  }

  @Override
  public void set(String name, String value) {
    for (int i = fields.size() - 2; i >= 0; i -= 2) {
      if (fields.get(i).equalsIgnoreCase(name)) {
        fields.remove(i + 1);
        fields.remove(i);
      }
    }
    header(name, value);
  }

  /**
   * Sets the body, read as it is sent and never buffered whole.
   *
   * @param length its length, or -1 when unknown (sent chunked); 0 for none
   */
  public UpstreamRequest body(InputStream body, long length) {
    if (length < -1) {
      throw new IllegalArgumentException("length: " + length + " (expected: -1 or more)");
    }
    this.body = length == 0 ? null : Objects.requireNonNull(body, "body");
    this.length = length;
    return this;
  }

  /**
   * Marks the request as a protocol upgrade (its fields carry {@code Connection: Upgrade} and
   * {@code Upgrade}): a {@code 101 Switching Protocols} answer is then handed back rather than
   * refused, and its connection can be taken over with {@link UpstreamResponse#takeOver()}.
   */
  public UpstreamRequest upgrade() {
    this.upgrade = true;
    return this;
  }

  public String method() {
    return method;
  }

  public String target() {
    return target;
  }

  /** Whether {@link #upgrade()} was called. */
  public boolean isUpgrade() {
    return upgrade;
  }

  /**
   * Whether any byte of the body has been read: a request whose body was touched cannot be sent
   * again (to another backend, or on a fresh connection).
   */
  public boolean bodyTouched() {
    return bodyTouched;
  }

  List<String> fields() {
    return fields;
  }

  InputStream body() {
    return body;
  }

  long length() {
    return length;
  }

  void touchBody() {
    bodyTouched = true;
  }
}
