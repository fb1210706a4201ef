package dev.sessionware.core.session;

import dev.sessionware.core.Correlation;

/**
 * An inference failed: a middleware or the engine threw, or returned no turn. The cause is what
 * was thrown; the session's history is as it was before the inference started.
 */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Correlation correlation;

  /**
   * Makes the exception of a failed inference.
   *
   * @param correlation the inference's correlation
   * @param cause what made it fail
   */
  public InferenceException(Correlation correlation, Throwable cause) {
    super("inference " + correlation.inferenceId() + " in session " + correlation.sessionId() + " failed: "
        + describe(cause), cause);
    this.correlation = correlation;
  }

  /**
   * Returns the correlation of the failed inference.
   *
   * @return the session, inference and turn ids
   */
  public Correlation correlation() {
    return correlation;
  }

  static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getName() : error.getClass().getSimpleName() + ": "
        + message;
  }
}
