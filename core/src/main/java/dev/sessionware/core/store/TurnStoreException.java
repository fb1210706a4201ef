package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;

/** A turn store could not do what it was asked; the message names the session and the store. */
public class TurnStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient SessionId session;

  /**
   * Makes the exception.
   *
   * @param session the session, or null when the failure concerns no session
   * @param message what failed, naming the store
   * @param cause the storage's own failure, or null
   */
  public TurnStoreException(SessionId session, String message, Throwable cause) {
    super(message, cause);
    this.session = session;
  }

  /**
   * Returns the session the failure concerns.
   *
   * @return the session, or null
   */
  public SessionId session() {
    return session;
  }
}
