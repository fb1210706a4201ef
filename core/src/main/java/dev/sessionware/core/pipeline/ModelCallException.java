package dev.sessionware.core.pipeline;

/**
 * A call to a model failed, as engines report it whatever client they use (the OpenAI-compatible
 * engine, LangChain4j, Spring AI): {@link #kind()} says how, so that callers can tell a rate limit
 * or a server error (worth a retry) from a bad request or a broken stream. The session's {@code
 * InferenceException} carries it as its cause. Messages never contain API keys.
 */
public final class ModelCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How the call failed. */
  public enum Kind {
    /** The server answered 429. */
    RATE_LIMITED,
    /** The server answered 5xx. */
    SERVER_ERROR,
    /** The server answered another non-2xx status (bad request, bad key, unknown model). */
    CLIENT_ERROR,
    /** The stream held data that is not the Chat Completions streaming format. */
    MALFORMED_STREAM,
    /** The stream ended before {@code [DONE]}. */
    INCOMPLETE_STREAM,
    /** The call took longer than the engine's timeout. */
    TIMEOUT,
    /** The server could not be reached or the connection broke. */
    CONNECTION
  }

  /**
   * Returns the kind of failure an HTTP status means.
   *
   * @param status the status, 400 or above
   * @return {@link Kind#RATE_LIMITED} for 429, {@link Kind#SERVER_ERROR} for 5xx, else {@link Kind#CLIENT_ERROR}
   */
  public static Kind kindOf(int status) {
    return status == 429 ? Kind.RATE_LIMITED : status >= 500 ? Kind.SERVER_ERROR : Kind.CLIENT_ERROR;
  }

  /** How the call failed. */
  private final Kind kind;
  /** The HTTP status, or 0. */
  private final int status;
  /** How long the server asked callers to wait before the next try, or null. */
  private final transient java.time.Duration retryAfter;

  /**
   * Makes the exception.
   *
   * @param kind how the call failed
   * @param status the HTTP status, or 0 when none was received
   * @param message what failed, without secrets
   * @param cause the client's own failure, or null
   */
  public ModelCallException(Kind kind, int status, String message, Throwable cause) {
    this(kind, status, message, cause, null);
  }

  /**
   * Makes the exception, with the wait the server asked for.
   *
   * @param kind how the call failed
   * @param status the HTTP status, or 0 when none was received
   * @param message what failed, without secrets
   * @param cause the client's own failure, or null
   * @param retryAfter how long the server asked to wait before trying again ({@code Retry-After}), or null
   */
  public ModelCallException(Kind kind, int status, String message, Throwable cause, java.time.Duration retryAfter) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /**
   * Returns how long the server asked callers to wait before trying again, from its {@code
   * Retry-After} (or {@code Retry-After-Ms}) header, as it said it.
   *
   * @return the wait, or empty when the server named none
   */
  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
  }

  /**
   * Returns how the call failed.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the HTTP status the server answered with.
   *
   * @return the status, or 0 when none was received
   */
  public int status() {
    return status;
  }

  /**
   * Returns whether the same call may succeed later: rate limits, server errors, timeouts and
   * broken connections.
   *
   * @return true if a retry makes sense
   */
  public boolean isRetryable() {
    return kind == Kind.RATE_LIMITED || kind == Kind.SERVER_ERROR || kind == Kind.TIMEOUT || kind == Kind.CONNECTION;
  }
}
