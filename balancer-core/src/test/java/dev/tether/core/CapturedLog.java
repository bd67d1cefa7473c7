package dev.tether.core;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what a core class logs through {@code System.Logger}, whose default backend in the JDK
 * is java.util.logging.
 */
public final class CapturedLog extends Handler implements AutoCloseable {
  private final Logger logger;
  private final List<String> messages = new ArrayList<>();

  public CapturedLog(Class<?> type) {
    this(type.getName());
  }

  /** For a logger whose class is not visible from the test's package. */
  public CapturedLog(String loggerName) {
    logger = Logger.getLogger(loggerName);
    logger.addHandler(this);
    setLevel(Level.ALL);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    messages.add(record.getLevel() + " " + record.getMessage());
  }

  public synchronized List<String> messages() {
    return List.copyOf(messages);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
