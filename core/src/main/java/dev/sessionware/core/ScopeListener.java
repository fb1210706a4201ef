package dev.sessionware.core;

/**
 * Mirrors the correlation of {@link CorrelationContext} somewhere else, for example into a logging
 * framework's MDC.
 *
 * <p>Each time a scope opens on a thread, every registered listener is called on that thread in
 * registration order, and the scope it returns is closed when the correlation scope closes, in
 * reverse order. A listener must restore exactly what it found, so nested scopes and pooled threads
 * come back clean. Listeners are registered with {@link CorrelationContext#addListener} or found
 * through {@link java.util.ServiceLoader} when {@code CorrelationContext} is first used.
 */
@FunctionalInterface
public interface ScopeListener {
  /**
   * Called on the thread that opens a correlation scope.
   *
   * @param correlation the correlation now in scope, or null when the scope clears the correlation
   *     (a task that was submitted outside any session runs on a pool thread)
   * @return what undoes this call when the scope closes; never null
   */
  CorrelationContext.Scope onOpen(Correlation correlation);
}
