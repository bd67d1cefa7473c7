package dev.tether.cli;

/** A plain JVM with no Tether in it, for {@code status --pid} to refuse; it exits after a minute. */
final class Idle {
  private Idle() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("idle");
    Thread.sleep(60_000);
  }
}
