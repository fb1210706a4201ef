/**
 * System prompt enforcement: {@link dev.sessionware.middleware.systemprompt.SystemPromptMiddleware} makes
 * the system prompt of every call exactly what a {@link dev.sessionware.middleware.systemprompt.PromptProvider}
 * (fixed text, a function, or a {@link dev.sessionware.middleware.systemprompt.PromptTemplate}) says,
 * idempotently, placed and hardened as {@link dev.sessionware.middleware.systemprompt.SystemPromptConfig}
 * says.
 *
 * <p>Depends on the core module only. Unless otherwise stated, null arguments cause a
 * {@link java.lang.NullPointerException}.
 */
package dev.sessionware.middleware.systemprompt;
