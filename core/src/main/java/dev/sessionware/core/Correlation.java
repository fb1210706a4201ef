package dev.sessionware.core;

import java.util.Objects;
import java.util.Optional;

/**
 * The ids that tie a piece of work to its conversation: the session id, always, and the inference
 * and turn ids while an inference runs.
 *
 * @param sessionId the session; never null
 * @param inferenceId the inference in progress, or null outside an inference
 * @param turnId the turn being worked on, or null when unknown
 */
public record Correlation(SessionId sessionId, InferenceId inferenceId, TurnId turnId) {
  /** The name of the session id in event JSON and in the logging MDC. */
  public static final String SESSION_ID_KEY = "session_id";
  /** The name of the inference id in event JSON and in the logging MDC. */
  public static final String INFERENCE_ID_KEY = "inference_id";
  /** The name of the turn id in event JSON and in the logging MDC. */
  public static final String TURN_ID_KEY = "turn_id";

  /**
   * Checks that the session id is present.
   *
   * @param sessionId the session; never null
   * @param inferenceId the inference in progress, or null outside an inference
   * @param turnId the turn being worked on, or null when unknown
   */
  public Correlation {
    Objects.requireNonNull(sessionId, "sessionId");
  }

  /**
   * Returns the correlation of a session with no inference in progress.
   *
   * @param sessionId the session
   * @return the correlation
   */
  public static Correlation of(SessionId sessionId) {
    return new Correlation(sessionId, null, null);
  }

  /**
   * Returns the correlation of an inference on a turn.
   *
   * @param sessionId the session
   * @param inferenceId the inference
   * @param turnId the turn
   * @return the correlation
   */
  public static Correlation of(SessionId sessionId, InferenceId inferenceId, TurnId turnId) {
    return new Correlation(
        sessionId, Objects.requireNonNull(inferenceId, "inferenceId"), Objects.requireNonNull(turnId, "turnId"));
  }

  /**
   * Returns the inference id, if an inference is in progress.
   *
   * @return the inference id or empty
   */
  public Optional<InferenceId> inference() {
    return Optional.ofNullable(inferenceId);
  }

  /**
   * Returns the turn id, if known.
   *
   * @return the turn id or empty
   */
  public Optional<TurnId> turn() {
    return Optional.ofNullable(turnId);
  }

  /**
   * Returns this correlation with another turn id.
   *
   * @param turnId the turn id, or null to clear it
   * @return the new correlation
   */
  public Correlation withTurnId(TurnId turnId) {
    return new Correlation(sessionId, inferenceId, turnId);
  }

  /**
   * Puts these ids in the SLF4J MDC (under {@link #SESSION_ID_KEY}, {@link #INFERENCE_ID_KEY} and
   * {@link #TURN_ID_KEY}) until the returned scope closes, which restores what the MDC held: for a
   * line logged by code that cannot count on the logging module mirroring the ids (a middleware
   * applied outside a session, say), and the one way the library writes them there (the logging
   * module's MDC mirror calls it for every correlation scope). Opens no correlation scope; when the
   * MDC holds these ids already nothing changes.
   *
   * @return the scope to close after logging, on the same thread
   */
  public CorrelationContext.Scope putInMdc() {
    String session = org.slf4j.MDC.get(SESSION_ID_KEY);
    String inference = org.slf4j.MDC.get(INFERENCE_ID_KEY);
    String turn = org.slf4j.MDC.get(TURN_ID_KEY);
    String wantedInference = inferenceId == null ? null : inferenceId.value();
    String wantedTurn = turnId == null ? null : turnId.value();
    if (sessionId.value().equals(session) && Objects.equals(wantedInference, inference)
        && Objects.equals(wantedTurn, turn)) {
      return KEEP_MDC; // in the MDC already, as inside an inference
    }
    putOrRemove(SESSION_ID_KEY, sessionId.value());
    putOrRemove(INFERENCE_ID_KEY, wantedInference);
    putOrRemove(TURN_ID_KEY, wantedTurn);
    if (session == null && inference == null && turn == null) {
      return REMOVE_FROM_MDC; // the usual case: nothing of the application's to keep, no undo to allocate
    }
    return () -> {
      putOrRemove(SESSION_ID_KEY, session);
      putOrRemove(INFERENCE_ID_KEY, inference);
      putOrRemove(TURN_ID_KEY, turn);
    };
  }

  private static final CorrelationContext.Scope KEEP_MDC = () -> {};
  private static final CorrelationContext.Scope REMOVE_FROM_MDC = () -> {
    org.slf4j.MDC.remove(SESSION_ID_KEY);
    org.slf4j.MDC.remove(INFERENCE_ID_KEY);
    org.slf4j.MDC.remove(TURN_ID_KEY);
  };

  private static void putOrRemove(String key, String value) {
    if (value == null) {
      org.slf4j.MDC.remove(key);
    } else {
      org.slf4j.MDC.put(key, value);
    }
  }
}
