package dev.sessionware.core.session;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.internal.Frozen;
import dev.sessionware.core.turn.Metadata;
import dev.sessionware.core.turn.MetadataKey;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import java.util.Map;

/**
 * Stamps turns with the ids of the session (and inference) they belong to, and refuses a turn that
 * carries another's: a turn is never stored or answered under a session it does not belong to.
 */
final class TurnStamps {
  private TurnStamps() {}

  /**
   * The turn with an id and the session and inference ids in its metadata, made in one step (one new
   * metadata, one new turn, none when it carries them already).
   *
   * @throws IllegalArgumentException if the turn carries another session's or inference's id
   */
  static Turn stamped(Turn turn, SessionId session, TurnId turnId, InferenceId inferenceId) {
    Map<String, Object> entries = turn.metadata().entries();
    Object presentSession = entries.get(MetadataKeys.SESSION_ID.id());
    Object presentInference = entries.get(MetadataKeys.INFERENCE_ID.id());
    requireOwn(turn, MetadataKeys.SESSION_ID, presentSession, session);
    requireOwn(turn, MetadataKeys.INFERENCE_ID, presentInference, inferenceId);
    if (turnId.equals(turn.id()) && presentSession != null && presentInference != null) {
      return turn; // carries them already (checked equal above)
    }
    return new Turn(turnId, turn.blocks(), new Metadata(Frozen.with(entries, MetadataKeys.SESSION_ID.id(), session,
        MetadataKeys.INFERENCE_ID.id(), inferenceId)), turn.data());
  }

  /**
   * The turn with the session id in its metadata, for a turn appended outside an inference.
   *
   * @throws IllegalArgumentException if the turn carries another session's id
   */
  static Turn stampedWithSession(Turn turn, SessionId session) {
    requireOwn(turn, MetadataKeys.SESSION_ID, turn.metadata().get(MetadataKeys.SESSION_ID).orElse(null), session);
    return turn.with(MetadataKeys.SESSION_ID, session);
  }

  private static <T> void requireOwn(Turn turn, MetadataKey<T> key, Object present, T expected) {
    if (present != null && !present.equals(expected)) {
      throw new IllegalArgumentException(
          "turn " + turn.id() + " carries " + key.id() + " = " + present + ", but belongs to " + expected);
    }
  }
}
