package dev.tether.api;

/**
 * Header fields in the order they arrived, one entry per field line (a repeated name is several
 * entries). Each container adapts its own header list without copying it, so the exchange can
 * apply one set of forwarding rules to all of them.
 */
public interface HeaderFields {
  /** How many fields there are. */
  int size();

  /** The name of field {@code index}, as it arrived. */
  String name(int index);

  /** The value of field {@code index}, without surrounding whitespace. */
  String value(int index);
}
