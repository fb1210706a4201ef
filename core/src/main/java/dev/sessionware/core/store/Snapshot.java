package dev.sessionware.core.store;

import dev.sessionware.core.SessionId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A turn kept as it was at a phase of an inference.
 *
 * @param session the session
 * @param turnId the turn's id, as text (legacy rows may hold ids this library would refuse)
 * @param phase the phase, for example {@code pre_inference}
 * @param createdAt when it was kept, to the millisecond
 * @param format the payload's format: {@link #JSON} for turns this library wrote, {@link #YAML} for
 *     rows of a migrated Go database, kept verbatim
 * @param payload the turn, in that format
 */
public record Snapshot(SessionId session, String turnId, String phase, Instant createdAt, String format, String payload) {
  /** The format of snapshots this library writes: its turn JSON ({@link TurnJson}). */
  public static final String JSON = "sessionware-turn+json";
  /** The format of rows written by the Go reference: YAML, kept verbatim. */
  public static final String YAML = "geppetto-turn+yaml";

  /**
   * Checks that every component is present.
   *
   * @param session the session
   * @param turnId the turn's id, as text
   * @param phase the phase
   * @param createdAt when it was kept
   * @param format the payload's format
   * @param payload the turn, in that format
   */
  public Snapshot {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(turnId, "turnId");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * Returns the turn, when this library wrote it.
   *
   * @return the turn, or empty for payloads in another format
   * @throws TurnStoreException if a JSON payload is not a valid turn (the message names the session, turn and phase)
   */
  public Optional<dev.sessionware.core.turn.Turn> turn() {
    if (!JSON.equals(format)) {
      return Optional.empty();
    }
    try {
      return Optional.of(TurnJson.decodeTurn(payload));
    } catch (IllegalArgumentException corrupt) {
      throw new TurnStoreException(session, "the " + phase + " snapshot of turn " + turnId + " of session " + session
          + " is corrupt (its payload is not a turn: " + corrupt.getMessage() + ")", corrupt);
    }
  }

  /** The phases of an inference at which the reference keeps snapshots of the turn. */
  public static final class Phase {
    /** The input turn, before the pipeline ran: what the model was asked. */
    public static final String PRE_INFERENCE = "pre_inference";
    /** The pipeline's output, before it was committed. */
    public static final String POST_INFERENCE = "post_inference";
    /** After tools ran, before the model is called again (tool loops). */
    public static final String POST_TOOLS = "post_tools";
    /** The turn as committed to the history. */
    public static final String FINAL = "final";

    private Phase() {}
  }

  /**
   * Which snapshots to list: the reference's query, by session, phase, time and count.
   *
   * @param session the session; required (there is no listing across sessions)
   * @param phase only this phase, or null for every phase
   * @param since only snapshots kept at or after this time, or null
   * @param limit the most snapshots to return, 1 to {@value #MAX_LIMIT}
   */
  public record Query(SessionId session, String phase, Instant since, int limit) {
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
    public Query {
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
    public static Query of(SessionId session, int limit) {
      return new Query(session, null, null, limit);
    }
  }
}
