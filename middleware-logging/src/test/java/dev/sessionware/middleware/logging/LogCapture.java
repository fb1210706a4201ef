package dev.sessionware.middleware.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Captures every log line at or above a level, with the MDC as it was when the line was written. */
final class LogCapture implements AutoCloseable {
  private final Logger root;
  private final Level previousLevel;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing(); // snapshot the MDC of the writing thread now
      synchronized (this) {
        super.append(event);
      }
    }
  };

  private LogCapture(Level level) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    previousLevel = root.getLevel();
    root.setLevel(level);
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  static LogCapture at(Level level) {
    return new LogCapture(level);
  }

  List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  List<ILoggingEvent> events(String loggerName) {
    return events().stream().filter(e -> e.getLoggerName().equals(loggerName)).toList();
  }

  static Map<String, Object> keyValues(ILoggingEvent event) {
    Map<String, Object> values = new LinkedHashMap<>();
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      pairs.forEach(pair -> values.put(pair.key, pair.value));
    }
    return values;
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(previousLevel);
  }
}
