package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import java.time.Instant;
import java.util.Objects;

/**
 * What a store knows of a session without loading it.
 *
 * @param session the session
 * @param turns how many turns its history has
 * @param lastActivity when a turn was last appended, to the millisecond
 */
public record SessionSummary(SessionId session, long turns, Instant lastActivity) {
  /**
   * Checks the components.
   *
   * @param session the session
   * @param turns how many turns its history has, >= 0
   * @param lastActivity when a turn was last appended
   */
  public SessionSummary {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(lastActivity, "lastActivity");
    if (turns < 0) {
      throw new IllegalArgumentException("turns must be >= 0, but was " + turns);
    }
  }
}
