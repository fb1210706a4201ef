package dev.sessionware.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The contract every {@link ScopeListener} keeps. Extend it for your own listener: {@link
 * #newListener()} makes one. What it checks: every scope it returns restores, when closed, exactly
 * what the thread had before it opened (nested scopes closed in reverse order, an application's own
 * MDC values included), it touches only the thread that opened the scope, and a second close does
 * nothing.
 */
public abstract class ScopeListenerContract {
  /**
   * Returns the listener under test.
   *
   * @return the listener
   */
  protected abstract ScopeListener newListener();

  private static Correlation correlation(String session) {
    return Correlation.of(SessionId.of(session), InferenceId.random(), TurnId.random());
  }

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  @Test
  void closingAScopeRestoresExactlyWhatTheThreadHad() {
    ScopeListener listener = newListener();
    MDC.put("host_key", "host value");
    MDC.put(Correlation.SESSION_ID_KEY, "the host's own value");
    Map<String, String> before = MDC.getCopyOfContextMap();

    CorrelationContext.Scope scope = listener.onOpen(correlation("scope-a"));
    scope.close();

    assertThat(MDC.getCopyOfContextMap()).isEqualTo(before);
  }

  @Test
  void nestedScopesClosedInReverseRestoreEachLevel() {
    ScopeListener listener = newListener();
    Map<String, String> empty = MDC.getCopyOfContextMap();
    CorrelationContext.Scope outer = listener.onOpen(correlation("outer"));
    Map<String, String> atOuter = MDC.getCopyOfContextMap();
    CorrelationContext.Scope inner = listener.onOpen(correlation("inner"));
    inner.close();
    assertThat(MDC.getCopyOfContextMap()).isEqualTo(atOuter);
    outer.close();
    assertThat(MDC.getCopyOfContextMap() == null ? Map.of() : MDC.getCopyOfContextMap())
        .isEqualTo(empty == null ? Map.of() : empty);
  }

  @Test
  void aScopeTouchesOnlyItsOwnThreadAndASecondCloseDoesNothing() throws Exception {
    ScopeListener listener = newListener();
    CorrelationContext.Scope scope = listener.onOpen(correlation("own-thread"));
    Map<String, String> elsewhere = CompletableFuture.supplyAsync(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS);
    assertThat(elsewhere == null ? Map.of() : elsewhere).doesNotContainKey(Correlation.SESSION_ID_KEY);
    scope.close();
    Map<String, String> afterClose = MDC.getCopyOfContextMap();
    MDC.put("host_key", "set after the close");
    scope.close();
    assertThat(MDC.get("host_key")).isEqualTo("set after the close");
    assertThat(MDC.get(Correlation.SESSION_ID_KEY)).isEqualTo(afterClose == null ? null : afterClose.get(Correlation.SESSION_ID_KEY));
  }
}
