package dev.sessionware.core.sink;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * The sinks' own warnings about an event, with that event's ids in the MDC whatever thread reports
 * them (a sink's delivery thread, a timer), and the MDC restored exactly after.
 */
final class SinkWarnings {
  private SinkWarnings() {}

  /** Logs a warning with the ids of {@code meta} (null when there is no event) in the MDC. */
  static void warn(Logger log, EventMetadata meta, String message, Throwable error) {
    if (!log.isWarnEnabled()) {
      return;
    }
    Correlation correlation = meta == null ? null : meta.correlation();
    if (correlation == null) {
      log.warn(message, error);
      return;
    }
    try (CorrelationContext.Scope ignored = correlation.putInMdc()) {
      log.warn(message, error);
    }
  }

  /**
   * Reports a sink's failure to the handler the host gave, or else as a warning; never throws, since
   * the caller goes on delivering.
   */
  static void sinkFailed(Logger log, BiConsumer<EventSink, Throwable> handler, EventSink sink,
      InferenceEvent event, Throwable error, String consequence) {
    try {
      if (handler != null) {
        handler.accept(sink, error);
      } else {
        warn(log, event == null ? null : event.meta(), "event sink " + sink + " failed"
            + (event == null ? " to close" : " on a " + event.type() + " event; " + consequence), error);
      }
    } catch (Throwable ignored) {
      // nothing more can be done about a failing report
    }
  }
}
