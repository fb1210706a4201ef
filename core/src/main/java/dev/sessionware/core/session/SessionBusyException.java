package dev.sessionware.core.session;

/**
 * A session was asked to start an inference, or to change its history, while an inference runs.
 * A session runs at most one inference at a time.
 */
public final class SessionBusyException extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  private final transient java.time.Duration retryAfter;

  SessionBusyException(String message) {
    this(message, null);
  }

  SessionBusyException(String message, java.time.Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /**
   * Returns when trying again may succeed, when the session is busy in another instance of the app:
   * by then a live instance has renewed its lease (still busy) or a dead one's has run out.
   *
   * @return the suggested wait, or empty when the session is busy in this instance (wait for its
   *     inference, or cancel it)
   */
  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
  }
}
