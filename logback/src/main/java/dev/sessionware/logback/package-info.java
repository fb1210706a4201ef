/**
 * Redaction for a whole Logback log: {@link dev.sessionware.logback.RedactingMessageConverter} for
 * pattern layouts and {@link dev.sessionware.logback.RedactingValueMasker} for logstash-logback-encoder,
 * both with the logging module's default {@code Redactor} rules; and {@link
 * dev.sessionware.logback.CorrelationMdcTurboFilter}, which puts the correlation ids in the MDC only
 * when a line is logged.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.logback;
