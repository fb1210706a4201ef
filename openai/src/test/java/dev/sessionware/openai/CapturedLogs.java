package dev.sessionware.openai;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Every log line written while it is open, with the MDC as it was on the writing thread; for the
 * adapters' tests, which check the ids on the lines of the clients they wrap. Shipped in this
 * module's test-jar beside {@link LoopbackOpenAiServer}.
 */
public final class CapturedLogs implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Level previous = root.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing(); // the writing thread's MDC, now
      synchronized (this) {
        super.append(event);
      }
    }
  };

  private CapturedLogs(Level level) {
    root.setLevel(level);
    appender.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    appender.start();
    root.addAppender(appender);
  }

  /**
   * Starts capturing every line at DEBUG and above.
   *
   * @return the capture; close it after the test
   */
  public static CapturedLogs atDebug() {
    return new CapturedLogs(Level.DEBUG);
  }

  /**
   * Returns the lines of loggers whose names start with a prefix.
   *
   * @param loggerPrefix the prefix, for example {@code dev.langchain4j}
   * @return the lines, oldest first
   */
  public List<ILoggingEvent> lines(String loggerPrefix) {
    synchronized (appender) {
      return appender.list.stream().filter(line -> line.getLoggerName().startsWith(loggerPrefix)).toList();
    }
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(previous);
  }
}
