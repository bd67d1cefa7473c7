package dev.tether.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The raw client's framing against a server written out byte by byte: a cut body must read as
 * incomplete whatever its framing, a body delimited by the end of the connection as complete.
 */
@Timeout(30)
final class RawClientTest {

  @Test
  void contentLengthBodyCutByTheConnectionIsIncomplete() throws Exception {
    RawResponse response = answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    assertThat(response.text()).isEqualTo("abc");
    assertThat(response.complete()).isFalse();
  }

  @Test
  void chunkedBodyCutByTheConnectionIsIncomplete() throws Exception {
    RawResponse response = answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3\r\nabc\r\n");
    assertThat(response.text()).isEqualTo("abc");
    assertThat(response.complete()).isFalse();
  }

  @Test
  void chunkedBodyWithItsLastChunkIsComplete() throws Exception {
    RawResponse response = answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3\r\nabc\r\n1\r\nd\r\n0\r\nx-trailer: 1\r\n\r\n");
    assertThat(response.text()).isEqualTo("abcd");
    assertThat(response.complete()).isTrue();
  }

  @Test
  void bodyWithoutFramingRunsToTheEndOfTheConnection() throws Exception {
    RawResponse response = answer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it");
    assertThat(response.text()).isEqualTo("all of it");
    assertThat(response.complete()).isTrue();
  }

  @Test
  void interimResponsesAreSkippedAndRepeatedFieldsKept() throws Exception {
    RawResponse response = answer("HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n"
        + "Content-Length: 0\r\n\r\n");
    assertThat(response.status()).isEqualTo(201);
    assertThat(response.reason()).isEqualTo("Created");
    assertThat(response.fields().all("Set-Cookie")).containsExactly("a=1", "b=2");
  }

  /** A one-shot server that reads a request head, writes {@code bytes} and closes. */
  private static RawResponse answer(String bytes) throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread writer = new Thread(() -> {
        try (Socket socket = server.accept()) {
          HttpWire.readHead(socket.getInputStream());
          OutputStream out = socket.getOutputStream();
          out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        } catch (IOException ignored) {
          // The test fails on what the client read.
        }
      }, "raw-client-test-server");
      writer.start();
      try {
        return RawClient.exchange(server.getLocalPort(), "GET", "/", null);
      } finally {
        writer.join(5000);
      }
    }
  }
}
