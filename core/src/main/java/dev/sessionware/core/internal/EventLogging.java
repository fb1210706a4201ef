package dev.sessionware.core.internal;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.sink.EventSink;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Writes the library's own warnings about an event with that event's ids in the MDC, whatever
 * thread reports them (a sink's delivery thread, a timer), and restores the MDC exactly after.
 */
public final class EventLogging {
  private EventLogging() {}

  /**
   * Logs a warning with the ids of {@code meta} in the MDC.
   *
   * @param log the logger
   * @param meta the event's metadata, or null when there is no event
   * @param message the message
   * @param error the failure, or null
   */
  public static void warn(Logger log, EventMetadata meta, String message, Throwable error) {
    if (!log.isWarnEnabled()) {
      return;
    }
    Correlation correlation = meta == null ? null : meta.correlation().orElse(null);
    if (correlation == null) {
      log.warn(message, error);
      return;
    }
    String session = MDC.get(Correlation.SESSION_ID_KEY);
    String inference = MDC.get(Correlation.INFERENCE_ID_KEY);
    String turn = MDC.get(Correlation.TURN_ID_KEY);
    try {
      set(Correlation.SESSION_ID_KEY, correlation.sessionId().value());
      set(Correlation.INFERENCE_ID_KEY, correlation.inferenceId() == null ? null : correlation.inferenceId().value());
      set(Correlation.TURN_ID_KEY, correlation.turnId() == null ? null : correlation.turnId().value());
      log.warn(message, error);
    } finally {
      set(Correlation.SESSION_ID_KEY, session);
      set(Correlation.INFERENCE_ID_KEY, inference);
      set(Correlation.TURN_ID_KEY, turn);
    }
  }

  /**
   * Reports a sink's failure: to {@code handler} when the host gave one, else as a warning with the
   * event's ids in the MDC. Never throws: a failing report must not stop a publisher or delivery.
   *
   * @param log the logger for the warning
   * @param handler the host's failure handler, or null
   * @param sink the sink that failed
   * @param event the event it failed on, or null when it failed to close
   * @param error what it threw
   * @param consequence what happens next, for the warning (for example "delivery goes on")
   */
  public static void sinkFailed(Logger log, BiConsumer<EventSink, Throwable> handler, EventSink sink,
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

  /**
   * Puts a correlation's ids into the MDC until the returned scope closes, unless they are there
   * already; for library lines written where no {@code ScopeListener} may have mirrored them.
   *
   * @param correlation the correlation
   * @return the scope that restores the three entries exactly
   */
  public static CorrelationContext.Scope withIds(Correlation correlation) {
    String session = MDC.get(Correlation.SESSION_ID_KEY);
    String inference = MDC.get(Correlation.INFERENCE_ID_KEY);
    String turn = MDC.get(Correlation.TURN_ID_KEY);
    String wantedInference = correlation.inferenceId() == null ? null : correlation.inferenceId().value();
    String wantedTurn = correlation.turnId() == null ? null : correlation.turnId().value();
    if (correlation.sessionId().value().equals(session) && java.util.Objects.equals(wantedInference, inference)
        && java.util.Objects.equals(wantedTurn, turn)) {
      return () -> {};
    }
    set(Correlation.SESSION_ID_KEY, correlation.sessionId().value());
    set(Correlation.INFERENCE_ID_KEY, wantedInference);
    set(Correlation.TURN_ID_KEY, wantedTurn);
    return () -> {
      set(Correlation.SESSION_ID_KEY, session);
      set(Correlation.INFERENCE_ID_KEY, inference);
      set(Correlation.TURN_ID_KEY, turn);
    };
  }

  private static void set(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
