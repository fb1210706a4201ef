package dev.sessionware.langchain4j;

import dev.sessionware.core.CorrelationContext;

/**
 * A correlation scope the listener opened on the calling thread of a LangChain4j call made outside
 * any inference (an AI service call mapped to a session by its memory id). It is closed when the
 * call's response arrives on the same thread, or, for a streaming call, as soon as the correlating
 * HTTP client has taken the correlation along to the stream: the calling thread never keeps it.
 */
final class PendingScope {
  private static final ThreadLocal<CorrelationContext.Scope> OPEN = new ThreadLocal<>();

  private PendingScope() {}

  static void hold(CorrelationContext.Scope scope) {
    closeIfOpen(); // a call that never reached its response leaves nothing behind
    OPEN.set(scope);
  }

  static void closeIfOpen() {
    CorrelationContext.Scope scope = OPEN.get();
    if (scope != null) {
      OPEN.remove();
      scope.close();
    }
  }

  static boolean isOpen() {
    return OPEN.get() != null;
  }
}
