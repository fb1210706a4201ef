/**
 * Correlated SLF4J logging: {@link dev.sessionware.middleware.logging.CorrelationMdc} keeps the session,
 * inference and turn ids in the MDC on every thread an inference uses, {@link
 * dev.sessionware.middleware.logging.TurnLoggingMiddleware} logs each inference's start and end, and {@link
 * dev.sessionware.middleware.logging.LoggingEventSink} logs events; {@link
 * dev.sessionware.middleware.logging.LoggingConfig}, {@link dev.sessionware.middleware.logging.ContentPolicy}
 * and {@link dev.sessionware.middleware.logging.Redactor} decide what text may reach the log.
 *
 * <p>Depends on {@code slf4j-api} only. Unless otherwise stated, null arguments cause a
 * {@link java.lang.NullPointerException}.
 */
package dev.sessionware.middleware.logging;
