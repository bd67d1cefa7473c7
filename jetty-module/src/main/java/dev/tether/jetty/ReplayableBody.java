package dev.tether.jetty;

import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Content;

/**
 * The client's body as a proxy request's content, for both front ends: it tells the
 * {@link ProxyCall} before the first read (from then on the request cannot be sent again), and
 * until then keeps a failed attempt's failure from reaching the client's body, which a retry
 * still needs whole.
 */
final class ReplayableBody implements Request.Content {
  private final Request.Content body;
  private final ProxyCall call;

  /**
   * @param body the container's content over the client request (the handler's
   *     {@code ProxyRequestContent}, the servlet's {@code ProxyInputStreamRequestContent})
   */
  ReplayableBody(Request.Content body, ProxyCall call) {
    this.body = body;
    this.call = call;
  }

  @Override
  public String getContentType() {
    return body.getContentType();
  }

  @Override
  public long getLength() {
    return body.getLength();
  }

  @Override
  public Content.Chunk read() {
    call.bodyRead();
    return body.read();
  }

  @Override
  public void demand(Runnable demandCallback) {
    body.demand(demandCallback);
  }

  @Override
  public void fail(Throwable failure) {
    fail(failure, true);
  }

  @Override
  public void fail(Throwable failure, boolean last) {
    if (call.isBodyRead()) {
      body.fail(failure, last);
    }
  }

  @Override
  public boolean rewind() {
    return body.rewind();
  }
}
