package dev.sessionware.examples;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;

/**
 * A Logback appender that remembers, for each log line, the session and inference ids in its MDC;
 * the demos use it to report lines with and without a session id, and lines of a foreign session.
 * Configured in {@code logback.xml}.
 */
public final class LogLineCounter extends AppenderBase<ILoggingEvent> {
  private static final List<Line> LINES = new ArrayList<>();

  /**
   * The correlation of one log line.
   *
   * @param sessionId the MDC's session id, or null
   * @param inferenceId the MDC's inference id, or null
   * @param message the formatted message
   */
  public record Line(String sessionId, String inferenceId, String message) {}

  @Override
  protected void append(ILoggingEvent event) {
    Line line = new Line(event.getMDCPropertyMap().get("session_id"), event.getMDCPropertyMap().get("inference_id"),
        event.getFormattedMessage());
    synchronized (LINES) {
      LINES.add(line);
    }
  }

  /**
   * Returns the lines seen since the last {@link #reset()}.
   *
   * @return the lines, oldest first
   */
  public static List<Line> lines() {
    synchronized (LINES) {
      return List.copyOf(LINES);
    }
  }

  /** Forgets the lines seen so far. */
  public static void reset() {
    synchronized (LINES) {
      LINES.clear();
    }
  }
}
