package dev.sessionware.examples.chat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.SessionId.Principal;

/**
 * One conversation as this instance of the server streams it: its id and its {@link
 * SessionEventLog} (the numbered events a browser's stream reads and resumes from). Its prompts wait
 * and run in the runtime's prompt queue ({@code SessionRuntime.submit}), shared by every instance on
 * the same database.
 *
 * @param id the session
 * @param owner the principal it belongs to
 * @param events its event log, as this instance's streams read it
 */
record ChatSession(SessionId id, Principal owner, SessionEventLog events) {}
