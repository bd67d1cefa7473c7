package dev.tether.core.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A DNS server for tests, on 127.0.0.1, UDP and TCP on one port the system chose. It answers A
 * and AAAA queries from records the test sets and changes while it runs, with a TTL of an hour
 * (so an answer that shows up sooner proves nobody cached it), and can be told to misbehave:
 * SERVFAIL, silence, or UDP answers truncated (TC set, no records) that only TCP answers in full.
 * Built on dnsjava's message classes; every thread it starts ends with {@link #close()}.
 */
public final class FakeDnsServer implements AutoCloseable {
  /** The TTL of every record served: far longer than any test's refresh rate. */
  public static final long TTL_SECONDS = 3600;

  /** How the server answers. */
  public enum Behaviour {
    /** From the records: NXDOMAIN for a name it has none for. */
    ANSWER,
    /** SERVFAIL to every query. */
    SERVFAIL,
    /** No answer at all, on UDP or TCP. */
    SILENT,
    /** UDP: TC set and no records; TCP: the full answer. */
    TRUNCATE_UDP
  }

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final Map<Name, List<InetAddress>> records = new ConcurrentHashMap<>();
  private final List<String> questions = new CopyOnWriteArrayList<>();
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicInteger udpQueries = new AtomicInteger();
  private final AtomicInteger tcpQueries = new AtomicInteger();
  private volatile Behaviour behaviour = Behaviour.ANSWER;
  private volatile boolean closed;

  private FakeDnsServer(DatagramSocket udp, ServerSocket tcp) {
    this.udp = udp;
    this.tcp = tcp;
  }

  /** Starts a server on 127.0.0.1, UDP and TCP on the same free port. */
  public static FakeDnsServer start() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    IOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      ServerSocket tcp = null;
      try {
        tcp = new ServerSocket(0, 50, loopback);
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, tcp.getLocalPort()));
        FakeDnsServer server = new FakeDnsServer(udp, tcp);
        server.spawn("fake-dns-udp", server::serveUdp);
        server.spawn("fake-dns-tcp", server::acceptTcp);
        return server;
      } catch (BindException e) {
        last = e;
        closeQuietly(tcp);
      } catch (IOException e) {
        closeQuietly(tcp);
        throw new UncheckedIOException(e);
      }
    }
    throw new UncheckedIOException("no port free for UDP and TCP at once", last);
  }

  public int port() {
    return tcp.getLocalPort();
  }

  /** {@code 127.0.0.1:PORT}, as {@code dnsResolvers} takes it. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** Serves {@code ips} (IPv4 and IPv6 literals) for {@code name}; none: no A or AAAA record. */
  public void put(String name, String... ips) {
    List<InetAddress> addresses = new ArrayList<>();
    for (String ip : ips) {
      try {
        addresses.add(InetAddress.getByName(ip));
      } catch (IOException e) {
        throw new IllegalArgumentException(ip, e);
      }
    }
    records.put(absolute(name), List.copyOf(addresses));
  }

  /** Forgets {@code name}: NXDOMAIN from now on. */
  public void remove(String name) {
    records.remove(absolute(name));
  }

  public void behave(Behaviour value) {
    behaviour = value;
  }

  public int udpQueries() {
    return udpQueries.get();
  }

  public int tcpQueries() {
    return tcpQueries.get();
  }

  /** Every question asked so far, as {@code name./TYPE}, in order (UDP and TCP alike). */
  public List<String> questions() {
    return Collections.unmodifiableList(new ArrayList<>(questions));
  }

  @Override
  public void close() {
    closed = true;
    udp.close();
    closeQuietly(tcp);
    for (Socket connection : connections) {
      closeQuietly(connection);
    }
    for (Thread thread : threads) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void serveUdp() {
    byte[] buffer = new byte[65535];
    while (!closed) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        udp.receive(packet);
      } catch (IOException e) {
        return;
      }
      udpQueries.incrementAndGet();
      byte[] query = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
      byte[] answer = answer(query, true);
      if (answer != null) {
        try {
          udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
        } catch (IOException e) {
          return;
        }
      }
    }
  }

  private void acceptTcp() {
    while (!closed) {
      Socket connection;
      try {
        connection = tcp.accept();
      } catch (IOException e) {
        return;
      }
      connections.add(connection);
      spawn("fake-dns-tcp-connection", () -> serveTcp(connection));
    }
  }

  private void serveTcp(Socket connection) {
    try (connection;
        DataInputStream in = new DataInputStream(connection.getInputStream());
        DataOutputStream out = new DataOutputStream(connection.getOutputStream())) {
      while (!closed) {
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        tcpQueries.incrementAndGet();
        byte[] answer = answer(query, false);
        if (answer != null) {
          out.writeShort(answer.length);
          out.write(answer);
          out.flush();
        }
      }
    } catch (EOFException | SocketException e) {
      // The client closed, or close() did.
    } catch (IOException e) {
      // A broken query: nothing to answer.
    } finally {
      connections.remove(connection);
    }
  }

  /** The answer's bytes; null for none (silent, or a query that does not parse). */
  private byte[] answer(byte[] bytes, boolean overUdp) {
    Message query;
    try {
      query = new Message(bytes);
    } catch (IOException e) {
      return null;
    }
    Record question = query.getQuestion();
    if (question != null) {
      questions.add(question.getName() + "/" + Type.string(question.getType()));
    }
    Behaviour now = behaviour;
    if (now == Behaviour.SILENT || question == null) {
      return null;
    }
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      response.getHeader().setFlag(Flags.RD);
    }
    response.addRecord(question, Section.QUESTION);
    if (now == Behaviour.SERVFAIL) {
      response.getHeader().setRcode(Rcode.SERVFAIL);
      return response.toWire();
    }
    List<InetAddress> addresses = records.get(question.getName());
    if (addresses == null) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
      return response.toWire();
    }
    if (now == Behaviour.TRUNCATE_UDP && overUdp) {
      response.getHeader().setFlag(Flags.TC);
      return response.toWire();
    }
    for (InetAddress address : addresses) {
      if (question.getType() == Type.A && address instanceof Inet4Address) {
        response.addRecord(
            new ARecord(question.getName(), DClass.IN, TTL_SECONDS, address), Section.ANSWER);
      } else if (question.getType() == Type.AAAA && address instanceof Inet6Address) {
        response.addRecord(
            new AAAARecord(question.getName(), DClass.IN, TTL_SECONDS, address), Section.ANSWER);
      }
    }
    return response.toWire();
  }

  private void spawn(String name, Runnable task) {
    Thread thread = new Thread(task, name + "-" + port());
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private static Name absolute(String name) {
    try {
      return Name.fromString(name.toLowerCase(Locale.ROOT), Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(name, e);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      // Closing anyway.
    }
  }
}
