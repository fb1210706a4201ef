/**
 * A session-only chat server on the library: {@link dev.sessionware.examples.chat.ChatServer}
 * serves a JSON API (sessions, prompts with a bounded per-session queue and idempotency keys,
 * cancel, stored turns), a Server-Sent Events stream per session that a client resumes with
 * {@code Last-Event-ID}, and a small page at {@code /}. See {@code docs/chat-server.md}.
 */
package dev.sessionware.examples.chat;
