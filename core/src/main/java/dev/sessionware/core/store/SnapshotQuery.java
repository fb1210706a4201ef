package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import java.time.Instant;
import java.util.Objects;

/**
 * Which snapshots to list: the reference's query, by session, phase, time and count.
 *
 * @param session the session; required (there is no listing across sessions)
 * @param phase only this phase, or null for every phase
 * @param since only snapshots kept at or after this time, or null
 * @param limit the most snapshots to return, 1 to {@value #MAX_LIMIT}
 */
public record SnapshotQuery(SessionId session, String phase, Instant since, int limit) {
  /** The most snapshots one query returns. */
  public static final int MAX_LIMIT = 10_000;

  /**
   * Validates the query.
   *
   * @param session the session
   * @param phase only this phase, or null
   * @param since only snapshots from this time on, or null
   * @param limit the most snapshots to return
   */
  public SnapshotQuery {
    Objects.requireNonNull(session, "session must not be null: snapshots are listed per session");
    if (phase != null && phase.isBlank()) {
      throw new IllegalArgumentException("phase must not be blank; use null for every phase");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT + ", but was " + limit);
    }
  }

  /**
   * Returns the query for a session's newest snapshots, any phase.
   *
   * @param session the session
   * @param limit the most snapshots to return
   * @return the query
   */
  public static SnapshotQuery of(SessionId session, int limit) {
    return new SnapshotQuery(session, null, null, limit);
  }
}
