package dev.sessionware.opentelemetry;

import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.MDC;

/** The current span's trace and span ids in the logging MDC, next to the session id; restored exactly after. */
final class TraceMdc {
  /** Puts back what the MDC held. */
  @FunctionalInterface
  interface Restore {
    void restore();
  }

  static final Restore NOTHING = () -> {};

  static Restore put(SpanContext span) {
    if (!span.isValid()) {
      return NOTHING;
    }
    String trace = MDC.get(GenAiAttributes.MDC_TRACE_ID);
    String spanId = MDC.get(GenAiAttributes.MDC_SPAN_ID);
    MDC.put(GenAiAttributes.MDC_TRACE_ID, span.getTraceId());
    MDC.put(GenAiAttributes.MDC_SPAN_ID, span.getSpanId());
    return () -> {
      putOrRemove(GenAiAttributes.MDC_TRACE_ID, trace);
      putOrRemove(GenAiAttributes.MDC_SPAN_ID, spanId);
    };
  }

  private static void putOrRemove(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  private TraceMdc() {}
}
