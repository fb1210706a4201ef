package dev.sessionware.core.event.json;

/**
 * An event could not be decoded. The message says which member is wrong and how, and, for events
 * read from a file, on which line.
 */
public final class EventDecodingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** What kind of problem stopped the decoding. */
  public enum Problem {
    /** The text is not JSON. */
    NOT_JSON,
    /** The JSON is not an object. */
    NOT_AN_OBJECT,
    /** A required member is missing. */
    MISSING_MEMBER,
    /** A member has the wrong JSON type. */
    WRONG_TYPE,
    /** A member has the right JSON type but an invalid value (a malformed UUID, a bad id). */
    INVALID_VALUE,
    /** The event carries the legacy {@code run_id} member; migrate it with {@code dev.sessionware.migration.RunIdMigration}. */
    LEGACY_RUN_ID,
    /** The event's text is longer than {@link EventCodec#MAX_EVENT_LENGTH}. */
    TOO_LONG
  }

  /** What kind of problem stopped the decoding. */
  private final Problem problem;
  /** The offending member's path, or null. */
  private final String member;
  /** The line the event was read from, or 0. */
  private final long lineNumber;

  EventDecodingException(Problem problem, String member, long lineNumber, String message, Throwable cause) {
    super(lineNumber > 0 ? "line " + lineNumber + ": " + message : message, cause);
    this.problem = problem;
    this.member = member;
    this.lineNumber = lineNumber;
  }

  /**
   * Returns what kind of problem stopped the decoding.
   *
   * @return the problem
   */
  public Problem problem() {
    return problem;
  }

  /**
   * Returns the path of the offending member, for example {@code meta.message_id}.
   *
   * @return the member's path, or null when the problem is not about one member
   */
  public String member() {
    return member;
  }

  /**
   * Returns the line the event was read from.
   *
   * @return the line number, from 1, or 0 when the event was not read from a file
   */
  public long lineNumber() {
    return lineNumber;
  }
}
