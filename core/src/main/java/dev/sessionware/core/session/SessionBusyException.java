package dev.sessionware.core.session;

/**
 * A session was asked to start an inference, or to change its history, while an inference runs.
 * A session runs at most one inference at a time.
 */
public final class SessionBusyException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  SessionBusyException(String message) {
    super(message);
  }
}
