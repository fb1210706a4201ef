package dev.sessionware.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Records the correlation of every log line while open: its MDC ids and the inference it names, if any. */
final class CapturedLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  /** One line: the ids in its MDC, and the inference the code that wrote it believed it served. */
  record Line(String sessionId, String inferenceId, String turnId, String claimedInference, String message) {}

  private final List<Line> lines = new ArrayList<>();
  private final Logger root;
  private final Level previous;

  private CapturedLines(Level level) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    previous = root.getLevel();
    root.setLevel(level);
    setContext(context);
    start();
    root.addAppender(this);
  }

  static CapturedLines at(Level level) {
    return new CapturedLines(level);
  }

  @Override
  protected void append(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap(); // read on the writing thread, now
    String claimed = null;
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        if (pair.key.equals("claimed_inference")) {
          claimed = String.valueOf(pair.value);
        }
      }
    }
    Line line = new Line(mdc.get("session_id"), mdc.get("inference_id"), mdc.get("turn_id"), claimed,
        event.getFormattedMessage());
    synchronized (lines) {
      lines.add(line);
    }
  }

  List<Line> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /**
   * Asserts that every captured line carries a session, inference and turn id, and that they are the
   * inference's own: its session as {@code sessionOf} says, and the inference it claims to log for.
   *
   * @param sessionOf the session of each inference id
   */
  void assertEveryLineHasItsOwnIds(java.util.Map<String, String> sessionOf) {
    int missing = 0;
    int foreign = 0;
    for (Line line : lines()) {
      if (line.sessionId() == null || line.inferenceId() == null || line.turnId() == null) {
        missing++;
      } else if (!line.sessionId().equals(sessionOf.get(line.inferenceId()))
          || (line.claimedInference() != null && !line.claimedInference().equals(line.inferenceId()))) {
        foreign++;
      }
    }
    org.assertj.core.api.Assertions.assertThat(missing).as("log lines without ids").isZero();
    org.assertj.core.api.Assertions.assertThat(foreign).as("log lines with another inference's ids").isZero();
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
    root.setLevel(previous);
  }
}
