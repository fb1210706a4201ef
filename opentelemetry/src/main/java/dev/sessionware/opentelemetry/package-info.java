/**
 * OpenTelemetry for Sessionware: {@link dev.sessionware.opentelemetry.SessionTracing} traces and
 * measures every inference of a runtime by the GenAI semantic conventions, with the session id as
 * {@code gen_ai.conversation.id} on every span from its start; {@link
 * dev.sessionware.opentelemetry.GenAiAttributes} spells every name once; {@link
 * dev.sessionware.opentelemetry.SessionBaggage} reads the session id a calling service sent.
 *
 * <p>Unless otherwise stated, null arguments cause {@link java.lang.NullPointerException}.
 */
package dev.sessionware.opentelemetry;
