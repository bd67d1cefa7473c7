package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes {@link Bodies}' deterministic bytes to a stream on a thread of its own and counts them,
 * so a test can see a writer stall when nobody reads on the other side of the proxy.
 */
final class Pump {
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private final long total;
  private volatile IOException failure;

  private Pump(String name, OutputStream out, long total) {
    this.total = total;
    this.thread = new Thread(() -> {
      try {
        Bodies.write(new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            out.write(b);
            written.incrementAndGet();
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written.addAndGet(len);
          }
        }, total);
        out.flush();
      } catch (IOException e) {
        failure = e;
      }
    }, "pump-" + name);
    thread.setDaemon(true);
  }

  static Pump start(String name, OutputStream out, long total) {
    Pump pump = new Pump(name, out, total);
    pump.thread.start();
    return pump;
  }

  /**
   * Waits (20 s at most) until {@code pump} has written nothing for 300 ms, and checks that it
   * stalled before {@code bound} bytes: the proxy held what it could not pass on in bounded
   * buffers, not whole.
   */
  static void awaitStalled(Pump pump, long bound) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    long last = -1;
    long since = System.nanoTime();
    while (true) {
      long now = pump.written.get();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > 300_000_000L) {
        break;
      }
      assertThat(System.nanoTime()).as("the writer never stalled: " + now + " bytes written")
          .isLessThan(deadline);
      assertThat(now).as("bytes written while nobody read").isLessThan(bound);
      Thread.sleep(20);
    }
    assertThat(pump.failure).isNull();
    assertThat(last).as("stalled after").isLessThan(bound).isLessThan(pump.total);
  }

  /** Waits for the end and checks that everything was written. */
  void finish() throws InterruptedException {
    thread.join(20_000);
    assertThat(thread.isAlive()).isFalse();
    assertThat(failure).isNull();
    assertThat(written.get()).isEqualTo(total);
  }
}
