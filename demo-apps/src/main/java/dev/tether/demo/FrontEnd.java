package dev.tether.demo;

/** A running front end (Jetty or Tomcat) in this process. */
interface FrontEnd extends AutoCloseable {

  /** The port it listens on (the bound one when started on port 0). */
  int port();

  /** Stops it; never throws. */
  @Override
  void close();
}
