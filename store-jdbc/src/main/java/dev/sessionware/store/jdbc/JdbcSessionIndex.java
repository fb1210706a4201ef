package dev.sessionware.store.jdbc;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.store.jdbc.internal.Connections;
import dev.sessionware.store.jdbc.internal.TurnRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Read-only queries over a {@link JdbcTurnStore}'s sessions, inferences, events and turns, for
 * tools that show a store (the session inspector): each is one indexed query, whatever the size of
 * the store. The index they read ({@code sw_inferences}, {@code sw_session_activity}) is kept by the
 * event log's appends, in the same transactions, so it is the same on every instance that shares
 * the database. Get it with {@link JdbcTurnStore#sessionIndex()}; thread-safe.
 */
public final class JdbcSessionIndex {
  private static final EventCodec CODEC = EventCodec.standard();

  private final Connections connections;
  private final TurnRows rows;
  private final String name;

  JdbcSessionIndex(Connections connections, TurnRows rows, String name) {
    this.connections = connections;
    this.rows = rows;
    this.name = name;
  }

  /**
   * A session as the index knows it.
   *
   * @param session the session
   * @param createdAt when it was first stored
   * @param lastActivity when a turn was last stored, or for a session with no turn yet when an event
   *     was last appended (the list's order)
   * @param turns how many turns its history has
   * @param state {@code idle}, {@code running} (its last event is not terminal) or {@code failed}
   *     (its last inference ended in an error)
   * @param inferences how many inferences started
   * @param inputTokens prompt tokens of its ended inferences
   * @param outputTokens completion tokens of its ended inferences
   * @param lastEventAt when an event that starts, ends or carries the usage of an inference was last
   *     appended (the events streamed in the middle of an inference do not move it), or null when none was
   */
  public record SessionRow(SessionId session, Instant createdAt, Instant lastActivity, long turns, String state,
      long inferences, long inputTokens, long outputTokens, Instant lastEventAt) {
    /** Checks the required components. */
    public SessionRow {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(lastActivity, "lastActivity");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * Which sessions {@link #sessions} lists; null components do not filter.
   *
   * @param idPrefix the start of the session id
   * @param activeFrom the earliest last activity, inclusive
   * @param activeUntil the latest last activity, exclusive
   * @param state one state ({@code idle}, {@code running}, {@code failed})
   */
  public record Filter(String idPrefix, Instant activeFrom, Instant activeUntil, String state) {
    /** No filter: every session. */
    public static final Filter ALL = new Filter(null, null, null, null);
  }

  /**
   * One inference of a session: the span of its events in the log and what they said.
   *
   * @param inferenceId its id
   * @param turnId the turn it builds, or null when no event named one
   * @param firstOrdinal the ordinal of its first event
   * @param lastOrdinal the ordinal of its last event so far
   * @param events how many events it has so far
   * @param startedAt when its first event was appended
   * @param firstChunkAt when its first streamed chunk or tool call was appended, or null
   * @param endedAt when its terminal event was appended, or null while it runs
   * @param outcome {@code running}, or the type of its terminal event ({@code final}, {@code error},
   *     {@code interrupt})
   * @param model the model its events named last, or null
   * @param inputTokens the prompt tokens of its last event with usage, or null
   * @param outputTokens the completion tokens of its last event with usage, or null
   * @param error the message of its error event, or null
   */
  public record InferenceRow(String inferenceId, String turnId, long firstOrdinal, long lastOrdinal, long events,
      Instant startedAt, Instant firstChunkAt, Instant endedAt, String outcome, String model, Long inputTokens,
      Long outputTokens, String error) {
    /** Checks the required components. */
    public InferenceRow {
      Objects.requireNonNull(inferenceId, "inferenceId");
      Objects.requireNonNull(startedAt, "startedAt");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /**
   * An event of the log with the time it was appended.
   *
   * @param ordinal its ordinal
   * @param appendedAt when it was appended, or null for events appended before schema version 4
   * @param event the event
   */
  public record TimedEvent(long ordinal, Instant appendedAt, InferenceEvent event) {
    /** Checks the required components. */
    public TimedEvent {
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * A stored turn with its number and the time it was stored.
   *
   * @param seq its number in the history, from 0
   * @param storedAt when it was stored
   * @param turn the turn
   */
  public record TurnRow(long seq, Instant storedAt, Turn turn) {
    /** Checks the required components. */
    public TurnRow {
      Objects.requireNonNull(storedAt, "storedAt");
      Objects.requireNonNull(turn, "turn");
    }
  }

  /** The sessions with a stored turn, with their activity: walked by {@code sw_sessions_by_activity}. */
  private static final String WITH_TURNS = "SELECT s.session_id, s.created_at_ms, s.last_activity_ms, s.turn_count,"
      + " COALESCE(a.state, 'idle'), COALESCE(a.inferences, 0), COALESCE(a.input_tokens, 0),"
      + " COALESCE(a.output_tokens, 0), a.last_event_at_ms FROM sw_sessions s"
      + " LEFT JOIN sw_session_activity a ON a.session_id = s.session_id WHERE 1 = 1";

  /**
   * The sessions with events but no stored turn: walked by the partial index {@code
   * sw_session_activity_without_turns}, which holds only the few that had none at their last append.
   */
  private static final String WITHOUT_TURNS = "SELECT a.session_id, a.first_event_at_ms, a.last_event_at_ms, 0,"
      + " a.state, a.inferences, a.input_tokens, a.output_tokens, a.last_event_at_ms FROM sw_session_activity a"
      + " WHERE a.without_turns AND NOT EXISTS (SELECT 1 FROM sw_sessions s WHERE s.session_id = a.session_id)";

  /**
   * Lists sessions by last activity, newest first, a page at a time: two walks of activity
   * indexes ({@code sw_sessions_by_activity} for sessions with turns, the partial {@code
   * sw_session_activity_without_turns} for those whose first inference runs or failed), each
   * stopping at {@code limit} rows, merged.
   *
   * @param filter which sessions
   * @param limit the most sessions returned, 1 to 1,000
   * @param after the last session of the previous page, or null for the first page
   * @return the sessions
   * @throws TurnStoreException if the database fails
   */
  public List<SessionRow> sessions(Filter filter, int limit, SessionRow after) {
    Objects.requireNonNull(filter, "filter");
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit: must be 1 to 1000, but was " + limit);
    }
    try {
      return connections.with(connection -> {
        List<SessionRow> withTurns = walk(connection, WITH_TURNS, "s.session_id", "s.last_activity_ms",
            "COALESCE(a.state, 'idle')", filter, limit, after);
        List<SessionRow> withoutTurns = walk(connection, WITHOUT_TURNS, "a.session_id", "a.last_event_at_ms",
            "a.state", filter, limit, after);
        return merge(withTurns, withoutTurns, limit);
      });
    } catch (SQLException e) {
      throw failure(null, "could not list sessions", e);
    }
  }

  private static List<SessionRow> walk(Connection connection, String select, String id, String activity,
      String state, Filter filter, int limit, SessionRow after) throws SQLException {
    StringBuilder sql = new StringBuilder(select);
    List<Object> args = new ArrayList<>();
    if (filter.idPrefix() != null && !filter.idPrefix().isEmpty()) {
      // substr, not LIKE: no wildcards to escape, and case-sensitive in both dialects (SQLite's LIKE is not)
      sql.append(" AND substr(").append(id).append(", 1, ?) = ?");
      args.add(filter.idPrefix().length());
      args.add(filter.idPrefix());
    }
    if (filter.activeFrom() != null) {
      sql.append(" AND ").append(activity).append(" >= ?");
      args.add(filter.activeFrom().toEpochMilli());
    }
    if (filter.activeUntil() != null) {
      sql.append(" AND ").append(activity).append(" < ?");
      args.add(filter.activeUntil().toEpochMilli());
    }
    if (filter.state() != null) {
      sql.append(" AND ").append(state).append(" = ?");
      args.add(filter.state());
    }
    if (after != null) {
      sql.append(" AND (").append(activity).append(" < ? OR (").append(activity).append(" = ? AND ").append(id)
          .append(" > ?))");
      args.add(after.lastActivity().toEpochMilli());
      args.add(after.lastActivity().toEpochMilli());
      args.add(after.session().value());
    }
    sql.append(" ORDER BY ").append(activity).append(" DESC, ").append(id).append(" LIMIT ?");
    args.add(limit);
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      bind(statement, args);
      List<SessionRow> page = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          page.add(sessionRow(result));
        }
      }
      return page;
    }
  }

  /** Both walks in the list's order (newest activity first, then by id), each session once. */
  private static List<SessionRow> merge(List<SessionRow> a, List<SessionRow> b, int limit) {
    if (b.isEmpty()) {
      return a;
    }
    java.util.Comparator<SessionRow> order = java.util.Comparator.comparing(SessionRow::lastActivity).reversed()
        .thenComparing(row -> row.session().value());
    List<SessionRow> all = new ArrayList<>(a);
    java.util.Set<SessionId> seen = new java.util.HashSet<>();
    a.forEach(row -> seen.add(row.session()));
    for (SessionRow row : b) {
      if (seen.add(row.session())) {
        all.add(row);
      }
    }
    all.sort(order);
    return all.size() > limit ? all.subList(0, limit) : all;
  }

  /**
   * Returns one session.
   *
   * @param session the session
   * @return it, or empty when the store does not know it
   * @throws TurnStoreException if the database fails
   */
  public Optional<SessionRow> session(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return connections.with(connection -> {
        for (String select : List.of(WITH_TURNS + " AND s.session_id = ?", WITHOUT_TURNS + " AND a.session_id = ?")) {
          try (PreparedStatement statement = connection.prepareStatement(select)) {
            statement.setString(1, session.value());
            try (ResultSet result = statement.executeQuery()) {
              if (result.next()) {
                return Optional.of(sessionRow(result));
              }
            }
          }
        }
        return Optional.<SessionRow>empty();
      });
    } catch (SQLException e) {
      throw failure(session, "could not read session " + session, e);
    }
  }

  /**
   * Lists a session's inferences, newest first, a page at a time.
   *
   * @param session the session
   * @param beforeOrdinal only inferences whose first event is before this ordinal; {@link
   *     Long#MAX_VALUE} for the newest
   * @param limit the most inferences returned, 1 to 1,000
   * @return the inferences
   * @throws TurnStoreException if the database fails
   */
  public List<InferenceRow> inferences(SessionId session, long beforeOrdinal, int limit) {
    Objects.requireNonNull(session, "session");
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit: must be 1 to 1000, but was " + limit);
    }
    try {
      return connections.with(connection -> {
        try (PreparedStatement select = connection.prepareStatement("SELECT inference_id, turn_id, first_ordinal,"
            + " last_ordinal, event_count, started_at_ms, first_chunk_at_ms, ended_at_ms, outcome, model, input_tokens,"
            + " output_tokens, error FROM sw_inferences WHERE session_id = ? AND first_ordinal < ?"
            + " ORDER BY first_ordinal DESC LIMIT ?")) {
          select.setString(1, session.value());
          select.setLong(2, beforeOrdinal);
          select.setInt(3, limit);
          List<InferenceRow> page = new ArrayList<>();
          try (ResultSet result = select.executeQuery()) {
            while (result.next()) {
              page.add(new InferenceRow(result.getString(1), result.getString(2), result.getLong(3),
                  result.getLong(4), result.getLong(5), Instant.ofEpochMilli(result.getLong(6)),
                  instant(result, 7), instant(result, 8), result.getString(9), result.getString(10),
                  nullableLong(result, 11), nullableLong(result, 12), result.getString(13)));
            }
          }
          return page;
        }
      });
    } catch (SQLException e) {
      throw failure(session, "could not list the inferences of session " + session, e);
    }
  }

  /**
   * Reads a session's events after an ordinal, oldest first, with the times they were appended.
   * Compacted events are gone; the list then starts at the first kept one.
   *
   * @param session the session
   * @param after the last ordinal seen; 0 for the start
   * @param limit the most events returned, 1 to {@link EventLog#MAX_PAGE}
   * @return the events
   * @throws TurnStoreException if the database fails or an event cannot be read
   */
  public List<TimedEvent> events(SessionId session, long after, int limit) {
    EventLog.checkRead(session, after, limit);
    try {
      return connections.with(connection -> {
        try (PreparedStatement select = connection.prepareStatement("SELECT ordinal, appended_at_ms, body"
            + " FROM sw_events WHERE session_id = ? AND ordinal > ? ORDER BY ordinal LIMIT ?")) {
          select.setString(1, session.value());
          select.setLong(2, after);
          select.setInt(3, limit);
          List<TimedEvent> page = new ArrayList<>();
          try (ResultSet result = select.executeQuery()) {
            while (result.next()) {
              long ordinal = result.getLong(1);
              InferenceEvent event;
              try {
                event = CODEC.decode(result.getString(3));
              } catch (RuntimeException e) {
                throw new TurnStoreException(session, "event " + ordinal + " of the log of session " + session
                    + " in " + name + " is not a readable event: " + e.getMessage(), e);
              }
              page.add(new TimedEvent(ordinal, instant(result, 2), event));
            }
          }
          return page;
        }
      });
    } catch (SQLException e) {
      throw failure(session, "could not read the log of session " + session, e);
    }
  }

  /**
   * Reads some consecutive turns of a session's history.
   *
   * @param session the session
   * @param from the number of the first turn, from 0
   * @param count the most turns returned, 1 to 1,000
   * @return the turns, oldest first; fewer (or none) past the end of the history
   * @throws TurnStoreException if the database fails or the history is inconsistent
   */
  public List<TurnRow> turns(SessionId session, long from, int count) {
    Objects.requireNonNull(session, "session");
    if (from < 0) {
      throw new IllegalArgumentException("from: must be >= 0, but was " + from);
    }
    if (count < 1 || count > 1000) {
      throw new IllegalArgumentException("count: must be 1 to 1000, but was " + count);
    }
    try {
      return connections.with(connection -> {
        List<Long> storedAt = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT created_at_ms FROM sw_turns"
            + " WHERE session_id = ? AND seq >= ? AND seq < ? ORDER BY seq")) {
          select.setString(1, session.value());
          select.setLong(2, from);
          select.setLong(3, from + count);
          try (ResultSet result = select.executeQuery()) {
            while (result.next()) {
              storedAt.add(result.getLong(1));
            }
          }
        }
        List<Turn> turns = storedAt.isEmpty() ? List.of() : read(connection, session, from, from + storedAt.size() - 1);
        List<TurnRow> page = new ArrayList<>(turns.size());
        for (int i = 0; i < turns.size(); i++) {
          page.add(new TurnRow(from + i, Instant.ofEpochMilli(storedAt.get(i)), turns.get(i)));
        }
        return page;
      });
    } catch (SQLException e) {
      throw failure(session, "could not read the turns of session " + session, e);
    }
  }

  private List<Turn> read(Connection connection, SessionId session, long from, long to) throws SQLException {
    return rows.read(connection, session, from, to);
  }

  private static SessionRow sessionRow(ResultSet result) throws SQLException {
    return new SessionRow(SessionId.of(result.getString(1)), Instant.ofEpochMilli(result.getLong(2)),
        Instant.ofEpochMilli(result.getLong(3)), result.getLong(4), result.getString(5),
        result.getLong(6), result.getLong(7), result.getLong(8), instant(result, 9));
  }

  private static void bind(PreparedStatement statement, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object arg = args.get(i);
      if (arg instanceof Long value) {
        statement.setLong(i + 1, value);
      } else if (arg instanceof Integer value) {
        statement.setInt(i + 1, value);
      } else {
        statement.setString(i + 1, (String) arg);
      }
    }
  }

  private static Instant instant(ResultSet result, int column) throws SQLException {
    long millis = result.getLong(column);
    return result.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static Long nullableLong(ResultSet result, int column) throws SQLException {
    long value = result.getLong(column);
    return result.wasNull() ? null : value;
  }

  private TurnStoreException failure(SessionId session, String what, SQLException cause) {
    return new TurnStoreException(session, what + " in " + name + ": " + cause.getMessage(), cause);
  }

  @Override
  public String toString() {
    return "session index of " + name;
  }
}
