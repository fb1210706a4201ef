/**
 * An engine for OpenAI-compatible Chat Completions servers: {@link
 * dev.sessionware.openai.OpenAiChatEngine} streams over {@code java.net.http} and publishes
 * correlated events; failures are {@link dev.sessionware.core.pipeline.ModelCallException}s.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.openai;
