package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;

/**
 * Another writer appended to a session's history first (another instance of the app ran the same
 * session), or deleted it: reload the history and try again. Also thrown when another writer
 * changed what a conditional write expected, such as a tool call another instance decided first.
 */
public final class TurnStoreConflictException extends TurnStoreException {
  private static final long serialVersionUID = 1L;

  private final long expectedLength;
  private final long actualLength;

  /**
   * Makes the exception.
   *
   * @param session the session
   * @param store the store, for the message
   * @param expectedLength the length the writer expected
   * @param actualLength the length the store has
   */
  public TurnStoreConflictException(SessionId session, String store, long expectedLength, long actualLength) {
    super(session, "cannot append turn " + (expectedLength + 1) + " to session " + session + " in " + store
        + ": the stored history has " + actualLength + " turns, not " + expectedLength
        + " (another instance appended or deleted it); reload the session and try again", null);
    this.expectedLength = expectedLength;
    this.actualLength = actualLength;
  }

  /**
   * Makes the exception for a conditional write other than an append, such as a decision on a call
   * another instance decided first; its lengths are -1.
   *
   * @param session the session
   * @param message what conflicted, and what to do
   */
  public TurnStoreConflictException(SessionId session, String message) {
    super(session, message, null);
    this.expectedLength = -1;
    this.actualLength = -1;
  }

  /**
   * Returns the history length the writer expected.
   *
   * @return the expected length, or -1 for a conflict that is not an append
   */
  public long expectedLength() {
    return expectedLength;
  }

  /**
   * Returns the history length the store has.
   *
   * @return the actual length, or -1 for a conflict that is not an append
   */
  public long actualLength() {
    return actualLength;
  }
}
