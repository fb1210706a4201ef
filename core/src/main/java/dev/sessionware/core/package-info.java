/**
 * Ids and correlation: {@link dev.sessionware.core.SessionId}, {@link dev.sessionware.core.InferenceId}
 * and {@link dev.sessionware.core.TurnId} as validated values, the {@link dev.sessionware.core.Correlation}
 * that ties work to its conversation, and the {@link dev.sessionware.core.CorrelationContext} that keeps
 * it in scope on the threads an inference uses.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.core;
