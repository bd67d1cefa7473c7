package dev.tether.it.harness;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** 127.0.0.1 itself: every process in these tests binds and connects there, never to ::1. */
final class Loopback {

  static final InetAddress IPV4;

  static {
    try {
      IPV4 = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Loopback() {}
}
