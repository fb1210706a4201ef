package dev.sessionware.benchmarks;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.OutputStream;

/**
 * A Logback appender that encodes every event with its encoder, as a file or console appender
 * would, and throws the bytes away: "logging on" benchmarks measure building, formatting and
 * dispatching lines, not a disk.
 */
public final class DiscardingAppender extends OutputStreamAppender<ILoggingEvent> {
  @Override
  public void start() {
    setOutputStream(OutputStream.nullOutputStream());
    super.start();
  }
}
