package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.turn.Usage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the session index of schema version 4 in step with the event log: in the transaction that
 * appends a batch, each inference the batch touches gets its row in {@code sw_inferences} inserted
 * or widened, and the session's row in {@code sw_session_activity} its state, inference count and
 * tokens. Readers then list sessions and a session's inferences from these rows alone. A batch from
 * the middle of a running inference (no start, no end, no usage) only widens the inference's row,
 * with one short update: the session's row keeps the time of the inference's start.
 */
public final class InferenceRows {
  /** The state of a session whose last event is not terminal. */
  public static final String RUNNING = "running";
  /** The state of a session whose last inference ended in an error. */
  public static final String FAILED = "failed";
  /** The state of a session whose last inference ended otherwise, or that has none. */
  public static final String IDLE = "idle";

  private InferenceRows() {}

  /** What one batch says of one inference. */
  private static final class Span {
    final String inferenceId;
    String turnId;
    long first;
    long last;
    long count;
    Long firstChunk;
    Long ended;
    String outcome = RUNNING;
    String model;
    Usage usage;
    String error;

    Span(String inferenceId, long first) {
      this.inferenceId = inferenceId;
      this.first = first;
    }
  }

  /**
   * Records a batch just inserted, in the caller's transaction.
   *
   * @param connection the connection of the append's transaction
   * @param session the session
   * @param firstOrdinal the ordinal of the batch's first event
   * @param events the batch
   * @param now the append's time, Unix milliseconds
   * @throws SQLException if the database fails
   */
  public static void record(Connection connection, SessionId session, long firstOrdinal, List<InferenceEvent> events,
      long now) throws SQLException {
    Map<String, Span> spans = new LinkedHashMap<>();
    String lastInference = null;
    String state = null;
    long started = 0;
    long input = 0;
    long output = 0;
    for (int i = 0; i < events.size(); i++) {
      InferenceEvent event = events.get(i);
      long ordinal = firstOrdinal + i;
      var meta = event.meta();
      if (meta.inferenceId() == null) {
        continue;
      }
      String id = meta.inferenceId().value();
      Span span = spans.computeIfAbsent(id, key -> new Span(key, ordinal));
      span.last = ordinal;
      span.count++;
      if (meta.turnId() != null) {
        span.turnId = meta.turnId().value();
      }
      if (meta.model() != null) {
        span.model = meta.model();
      }
      if (meta.usage() != null) {
        span.usage = meta.usage();
      }
      if (event instanceof InferenceEvent.StartEvent) {
        started++;
      }
      if (span.firstChunk == null && (event instanceof InferenceEvent.PartialEvent
          || event instanceof InferenceEvent.PartialThinkingEvent || event instanceof InferenceEvent.ToolCallEvent)) {
        span.firstChunk = now;
      }
      lastInference = id;
      if (event.isTerminal()) {
        span.ended = now;
        span.outcome = event.type();
        if (event instanceof InferenceEvent.ErrorEvent error) {
          span.error = error.errorString();
        }
        if (meta.usage() != null) {
          input += meta.usage().inputTokens();
          output += meta.usage().outputTokens();
        }
        state = event instanceof InferenceEvent.ErrorEvent ? FAILED : IDLE;
      } else {
        state = RUNNING;
      }
    }
    if (lastInference == null) {
      return;
    }
    if (spans.size() == 1 && started == 0 && RUNNING.equals(state) && widened(connection, session, spans.get(lastInference))) {
      return; // the middle of a stream: the inference's row grows, the session's row stays as it is
    }
    try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO sw_inferences (session_id,"
        + " inference_id, turn_id, first_ordinal, last_ordinal, event_count, started_at_ms, first_chunk_at_ms,"
        + " ended_at_ms, outcome, model, input_tokens, output_tokens, error)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, inference_id) DO UPDATE SET"
        + " turn_id = COALESCE(excluded.turn_id, sw_inferences.turn_id), last_ordinal = excluded.last_ordinal,"
        + " event_count = sw_inferences.event_count + excluded.event_count,"
        + " first_chunk_at_ms = COALESCE(sw_inferences.first_chunk_at_ms, excluded.first_chunk_at_ms),"
        + " ended_at_ms = COALESCE(excluded.ended_at_ms, sw_inferences.ended_at_ms),"
        + " outcome = CASE WHEN excluded.outcome = '" + RUNNING + "' THEN sw_inferences.outcome ELSE excluded.outcome END,"
        + " model = COALESCE(excluded.model, sw_inferences.model),"
        + " input_tokens = COALESCE(excluded.input_tokens, sw_inferences.input_tokens),"
        + " output_tokens = COALESCE(excluded.output_tokens, sw_inferences.output_tokens),"
        + " error = COALESCE(excluded.error, sw_inferences.error)")) {
      for (Span span : spans.values()) {
        upsert.setString(1, session.value());
        upsert.setString(2, span.inferenceId);
        upsert.setString(3, span.turnId);
        upsert.setLong(4, span.first);
        upsert.setLong(5, span.last);
        upsert.setLong(6, span.count);
        upsert.setLong(7, now);
        setLong(upsert, 8, span.firstChunk);
        setLong(upsert, 9, span.ended);
        upsert.setString(10, span.outcome);
        upsert.setString(11, span.model);
        setLong(upsert, 12, span.usage == null ? null : span.usage.inputTokens());
        setLong(upsert, 13, span.usage == null ? null : span.usage.outputTokens());
        upsert.setString(14, span.error);
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
    try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO sw_session_activity (session_id, state,"
        + " last_inference_id, inferences, input_tokens, output_tokens, first_event_at_ms, last_event_at_ms,"
        + " without_turns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NOT EXISTS (SELECT 1 FROM sw_sessions WHERE session_id = ?))"
        + " ON CONFLICT (session_id) DO UPDATE SET state = excluded.state,"
        + " last_inference_id = excluded.last_inference_id,"
        + " inferences = sw_session_activity.inferences + excluded.inferences,"
        + " input_tokens = sw_session_activity.input_tokens + excluded.input_tokens,"
        + " output_tokens = sw_session_activity.output_tokens + excluded.output_tokens,"
        + " last_event_at_ms = excluded.last_event_at_ms, without_turns = excluded.without_turns")) {
      upsert.setString(1, session.value());
      upsert.setString(2, state);
      upsert.setString(3, lastInference);
      upsert.setLong(4, started);
      upsert.setLong(5, input);
      upsert.setLong(6, output);
      upsert.setLong(7, now);
      upsert.setLong(8, now);
      upsert.setString(9, session.value());
      upsert.executeUpdate();
    }
  }

  /**
   * Widens the row of a running inference by a batch of its middle (no start, no end, no usage): one
   * short update on the primary key, the common case of an inference streaming event by event.
   *
   * @return false when the inference has no row yet (its start was not recorded), and the caller
   *     records it whole
   */
  private static boolean widened(Connection connection, SessionId session, Span span) throws SQLException {
    if (span.usage != null) {
      return false;
    }
    try (PreparedStatement update = connection.prepareStatement("UPDATE sw_inferences SET last_ordinal = ?,"
        + " event_count = event_count + ?, first_chunk_at_ms = COALESCE(first_chunk_at_ms, ?),"
        + " model = COALESCE(?, model) WHERE session_id = ? AND inference_id = ?")) {
      update.setLong(1, span.last);
      update.setLong(2, span.count);
      setLong(update, 3, span.firstChunk);
      update.setString(4, span.model);
      update.setString(5, session.value());
      update.setString(6, span.inferenceId);
      return update.executeUpdate() == 1;
    }
  }

  private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }
}
