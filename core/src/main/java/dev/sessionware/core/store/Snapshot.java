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
}
