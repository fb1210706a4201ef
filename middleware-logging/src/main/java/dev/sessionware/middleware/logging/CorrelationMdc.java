package dev.sessionware.middleware.logging;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.ScopeListener;
import org.slf4j.MDC;

/**
 * Mirrors the correlation in scope into SLF4J's MDC, so that every log line written during an
 * inference, by anyone and on any thread the inference hands work to, carries the ids.
 *
 * <p>While a {@link CorrelationContext} scope is open, the MDC holds {@value #SESSION_ID}, {@value
 * #INFERENCE_ID} and {@value #TURN_ID} (the same names as the JSON members of events); when it
 * closes, those three entries are exactly what they were before, also after an exception and for
 * nested scopes. The rest of the MDC is left alone.
 *
 * <p>Registered through {@link java.util.ServiceLoader}: putting this module on the classpath is
 * enough. The MDC holds correlation ids only, never user content.
 */
public final class CorrelationMdc implements ScopeListener {
  /** MDC key of the session id. */
  public static final String SESSION_ID = Correlation.SESSION_ID_KEY;
  /** MDC key of the inference id. */
  public static final String INFERENCE_ID = Correlation.INFERENCE_ID_KEY;
  /** MDC key of the turn id. */
  public static final String TURN_ID = Correlation.TURN_ID_KEY;

  /** Made by {@link java.util.ServiceLoader}; there is no state. */
  public CorrelationMdc() {}

  @Override
  public CorrelationContext.Scope onOpen(Correlation correlation) {
    return put(correlation);
  }

  /**
   * Puts a correlation's ids into the MDC of this thread until the returned scope closes; ids the
   * correlation lacks are removed for that time. For code that does not go through {@link
   * CorrelationContext}.
   *
   * @param correlation the correlation, or null to clear the three entries
   * @return the scope that restores the three entries
   */
  public static CorrelationContext.Scope put(Correlation correlation) {
    String previousSession = MDC.get(SESSION_ID);
    String previousInference = MDC.get(INFERENCE_ID);
    String previousTurn = MDC.get(TURN_ID);
    if (correlation == null) {
      set(SESSION_ID, null);
      set(INFERENCE_ID, null);
      set(TURN_ID, null);
    } else {
      set(SESSION_ID, correlation.sessionId().value());
      set(INFERENCE_ID, correlation.inferenceId() == null ? null : correlation.inferenceId().value());
      set(TURN_ID, correlation.turnId() == null ? null : correlation.turnId().value());
    }
    return () -> {
      set(SESSION_ID, previousSession);
      set(INFERENCE_ID, previousInference);
      set(TURN_ID, previousTurn);
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
