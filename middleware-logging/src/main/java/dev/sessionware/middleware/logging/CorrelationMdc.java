package dev.sessionware.middleware.logging;

import dev.sessionware.core.Correlation;
import dev.sessionware.core.CorrelationContext;
import dev.sessionware.core.ScopeListener;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p><b>On demand.</b> Copying three ids into the MDC and back on every scope is most of what a
 * correlation scope costs, and is wasted when nothing is logged. A logging backend that can run
 * code on the logging thread just before it creates each log event (the {@code sessionware-logback}
 * module's turbo filter does, for Logback) registers with {@link #mirrorOnDemand()} and calls
 * {@link #syncForLogging()} there: from then on, opening and closing scopes leaves the MDC alone,
 * and the first line logged in a scope puts the ids in (each later line of the scope finds them
 * there); when the scope closes, the three entries are restored to what they were before the first
 * line put them, so pool threads still come back clean. The trade-off: inside a scope, {@code
 * MDC.get("session_id")} called by application code (not by a layout, encoder or appender while
 * writing a line) may be empty until a line is logged; read {@link CorrelationContext#current()}
 * there instead, and code that hands work to another thread by copying the MDC ({@code
 * MDC.getCopyOfContextMap()}) may copy no ids; {@link CorrelationContext#wrap(Runnable)} carries
 * them in both modes. Lines always carry the ids of the correlation in scope when they are logged, on
 * any thread, through synchronous and asynchronous appenders alike. Other SLF4J backends keep the
 * eager mirroring, which needs no set-up.
 */
public final class CorrelationMdc implements ScopeListener {
  /** MDC key of the session id. */
  public static final String SESSION_ID = Correlation.SESSION_ID_KEY;
  /** MDC key of the inference id. */
  public static final String INFERENCE_ID = Correlation.INFERENCE_ID_KEY;
  /** MDC key of the turn id. */
  public static final String TURN_ID = Correlation.TURN_ID_KEY;

  private static final AtomicInteger ON_DEMAND = new AtomicInteger();
  /** What the MDC of a thread mirrors on demand; absent (null) on threads that never synced. */
  private static final ThreadLocal<Synced> SYNCED = new ThreadLocal<>();
  /** The scope of an on-demand listener: restores the entries if a line put ids in. */
  private static final CorrelationContext.Scope RESTORE_IF_SYNCED = CorrelationMdc::restoreIfSynced;
  /** The undo of an eager put into an MDC that held none of the three entries. */
  private static final CorrelationContext.Scope REMOVE_ALL = CorrelationMdc::removeAll;

  /** The correlation this thread's MDC holds, and the three entries as they were before. */
  private static final class Synced {
    Correlation correlation; // null: the MDC holds what the application put there
    String previousSession;
    String previousInference;
    String previousTurn;
  }

  /** Made by {@link java.util.ServiceLoader}; there is no state. */
  public CorrelationMdc() {}

  @Override
  public CorrelationContext.Scope onOpen(Correlation correlation) {
    return ON_DEMAND.get() > 0 ? RESTORE_IF_SYNCED : put(correlation);
  }

  /**
   * Switches to mirroring on demand until the returned registration is closed (registrations
   * nest: mirroring is eager again once every one is closed). Only for a logging backend that
   * calls {@link #syncForLogging()} before creating every log event, on the logging thread.
   *
   * @return the registration
   */
  public static CorrelationContext.Registration mirrorOnDemand() {
    ON_DEMAND.incrementAndGet();
    java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        ON_DEMAND.decrementAndGet();
      }
    };
  }

  /**
   * Returns whether mirroring is on demand now.
   *
   * @return true while a backend's {@link #mirrorOnDemand()} registration is open
   */
  public static boolean isOnDemand() {
    return ON_DEMAND.get() > 0;
  }

  /**
   * Makes this thread's MDC hold the ids of the correlation in scope, or, outside any scope, what
   * it held before ids were put in; does nothing when it already does. Called by a logging backend
   * just before it creates a log event.
   */
  public static void syncForLogging() {
    Correlation wanted = CorrelationContext.current().orElse(null);
    Synced synced = SYNCED.get();
    if (synced == null) {
      if (wanted == null) {
        return; // never synced, nothing in scope: the MDC is the application's
      }
      synced = new Synced();
      SYNCED.set(synced);
    }
    if (synced.correlation == wanted) {
      return;
    }
    if (wanted == null) {
      restore(synced);
      return;
    }
    if (synced.correlation == null) {
      synced.previousSession = MDC.get(SESSION_ID);
      synced.previousInference = MDC.get(INFERENCE_ID);
      synced.previousTurn = MDC.get(TURN_ID);
    }
    synced.correlation = wanted;
    set(SESSION_ID, wanted.sessionId().value());
    set(INFERENCE_ID, wanted.inferenceId() == null ? null : wanted.inferenceId().value());
    set(TURN_ID, wanted.turnId() == null ? null : wanted.turnId().value());
  }

  private static void restoreIfSynced() {
    Synced synced = SYNCED.get();
    if (synced != null && synced.correlation != null) {
      restore(synced);
    }
  }

  private static void restore(Synced synced) {
    synced.correlation = null;
    set(SESSION_ID, synced.previousSession);
    set(INFERENCE_ID, synced.previousInference);
    set(TURN_ID, synced.previousTurn);
    synced.previousSession = null;
    synced.previousInference = null;
    synced.previousTurn = null;
  }

  /**
   * Puts a correlation's ids in the MDC for the lines logged until the returned scope closes:
   * eagerly through {@link #put}, or, on demand, as the correlation in scope.
   *
   * @param correlation the correlation, or null for none
   * @return the scope; close it on this thread
   */
  static CorrelationContext.Scope forLines(Correlation correlation) {
    if (!isOnDemand()) {
      return put(correlation);
    }
    return correlation == null ? CorrelationContext.clear() : CorrelationContext.open(correlation);
  }

  /**
   * Puts a correlation's ids into the MDC of this thread until the returned scope closes; ids the
   * correlation lacks are removed for that time. For code that does not go through {@link
   * CorrelationContext}; when mirroring is {@linkplain #mirrorOnDemand() on demand}, lines logged
   * inside a correlation scope carry that scope's ids instead.
   *
   * @param correlation the correlation, or null to clear the three entries
   * @return the scope that restores the three entries
   */
  public static CorrelationContext.Scope put(Correlation correlation) {
    if (correlation != null) {
      return correlation.putInMdc(); // the one writer of the ids into the MDC
    }
    String previousSession = MDC.get(SESSION_ID);
    String previousInference = MDC.get(INFERENCE_ID);
    String previousTurn = MDC.get(TURN_ID);
    set(SESSION_ID, null);
    set(INFERENCE_ID, null);
    set(TURN_ID, null);
    if (previousSession == null && previousInference == null && previousTurn == null) {
      return REMOVE_ALL; // the usual case: nothing of the application's to keep, no undo to allocate
    }
    return () -> {
      set(SESSION_ID, previousSession);
      set(INFERENCE_ID, previousInference);
      set(TURN_ID, previousTurn);
    };
  }

  private static void removeAll() {
    MDC.remove(SESSION_ID);
    MDC.remove(INFERENCE_ID);
    MDC.remove(TURN_ID);
  }

  private static void set(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
