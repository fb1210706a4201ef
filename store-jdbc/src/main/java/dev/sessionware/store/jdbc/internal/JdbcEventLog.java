package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.TurnStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The JDBC store's event log. A session's ordinals come from its row in {@code sw_event_heads},
 * raised by the batch size in the transaction that inserts the batch: the row's lock (PostgreSQL)
 * or the database's write lock (SQLite) orders the appends of every instance, a rolled-back append
 * gives its ordinals back, and appends commit in ordinal order, so a reader never sees a gap that
 * fills later. A reader that finds its next ordinal compacted away gets {@code behind}.
 */
public final class JdbcEventLog implements EventLog {
  private static final EventCodec CODEC = EventCodec.standard();

  private final Connections connections;
  private final String name;
  private final StoreNotifications notifications;

  /**
   * Makes the log of a store.
   *
   * @param connections the store's connections
   * @param name the store's name, for messages
   * @param notifications whom the store tells of appends
   */
  public JdbcEventLog(Connections connections, String name, StoreNotifications notifications) {
    this.connections = connections;
    this.name = name;
    this.notifications = notifications;
  }

  @Override
  public Subscription listen(Listener listener) {
    return notifications.listenToEvents(listener);
  }

  @Override
  public long append(SessionId session, List<InferenceEvent> events) {
    EventLog.checkBatch(session, events);
    List<String> bodies = events.stream().map(CODEC::encode).toList(); // refuse what cannot be encoded first
    try {
      long first = connections.with(connection -> Connections.inTransaction(connection, () -> {
        try (PreparedStatement head = connection.prepareStatement("INSERT INTO sw_event_heads (session_id,"
            + " last_ordinal, compacted_through) VALUES (?, 0, 0) ON CONFLICT (session_id) DO NOTHING")) {
          head.setString(1, session.value());
          head.executeUpdate();
        }
        try (PreparedStatement raise = connection.prepareStatement(
            "UPDATE sw_event_heads SET last_ordinal = last_ordinal + ? WHERE session_id = ?")) {
          raise.setLong(1, events.size());
          raise.setString(2, session.value());
          raise.executeUpdate();
        }
        long start = head(connection, session)[0] - events.size() + 1;
        long now = System.currentTimeMillis();
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO sw_events (session_id, ordinal, type, body, appended_at_ms) VALUES (?, ?, ?, ?, ?)")) {
          for (int i = 0; i < events.size(); i++) {
            insert.setString(1, session.value());
            insert.setLong(2, start + i);
            insert.setString(3, events.get(i).type());
            insert.setString(4, bodies.get(i));
            insert.setLong(5, now);
            insert.addBatch();
          }
          insert.executeBatch();
        }
        InferenceRows.record(connection, session, start, events, now);
        notifications.notifyAtCommit(connection, StoreNotifications.EVENTS, session, start + events.size() - 1);
        return start;
      }));
      notifications.committed(StoreNotifications.EVENTS, session, first + events.size() - 1);
      return first;
    } catch (SQLException e) {
      throw failure(session, "could not append " + events.size() + " events to the log of session " + session, e);
    }
  }

  @Override
  public Page read(SessionId session, long after, int limit) {
    EventLog.checkRead(session, after, limit);
    try {
      return connections.with(connection -> {
        long[] head = head(connection, session); // read before the events: a later append only adds to them
        List<Entry> entries = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT ordinal, body FROM sw_events"
            + " WHERE session_id = ? AND ordinal > ? ORDER BY ordinal LIMIT ?")) {
          select.setString(1, session.value());
          select.setLong(2, after);
          select.setInt(3, limit);
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              long ordinal = rows.getLong(1);
              entries.add(new Entry(ordinal, decode(session, ordinal, rows.getString(2))));
            }
          }
        }
        long compacted = head[1];
        long firstExpected = after + 1;
        if (!entries.isEmpty() && entries.get(0).ordinal() > firstExpected) {
          // compacted between the two reads: the entries start past what the reader saw
          compacted = Math.max(compacted, entries.get(0).ordinal() - 1);
        }
        long last = Math.max(head[0], entries.isEmpty() ? 0 : entries.get(entries.size() - 1).ordinal());
        return new Page(entries, compacted, last, after < compacted);
      });
    } catch (SQLException e) {
      throw failure(session, "could not read the log of session " + session, e);
    }
  }

  @Override
  public long lastOrdinal(SessionId session) {
    Objects.requireNonNull(session, "session");
    try {
      return connections.with(connection -> head(connection, session)[0]);
    } catch (SQLException e) {
      throw failure(session, "could not read the log of session " + session, e);
    }
  }

  @Override
  public void compact(SessionId session, long through) {
    Objects.requireNonNull(session, "session");
    try {
      connections.with(connection -> Connections.inTransaction(connection, () -> {
        // the head's lock first, so that an append cannot slip between the check and the delete
        try (PreparedStatement lock = connection.prepareStatement(
            "UPDATE sw_event_heads SET compacted_through = compacted_through WHERE session_id = ?")) {
          lock.setString(1, session.value());
          lock.executeUpdate();
        }
        long[] head = head(connection, session);
        if (through < 0 || through > head[0]) {
          throw new IllegalArgumentException("through: must be 0 to the last ordinal " + head[0] + ", but was " + through);
        }
        if (through <= head[1]) {
          return null;
        }
        try (PreparedStatement delete = connection.prepareStatement(
            "DELETE FROM sw_events WHERE session_id = ? AND ordinal <= ?")) {
          delete.setString(1, session.value());
          delete.setLong(2, through);
          delete.executeUpdate();
        }
        try (PreparedStatement mark = connection.prepareStatement(
            "UPDATE sw_event_heads SET compacted_through = ? WHERE session_id = ?")) {
          mark.setLong(1, through);
          mark.setString(2, session.value());
          mark.executeUpdate();
        }
        return null;
      }));
    } catch (SQLException e) {
      throw failure(session, "could not compact the log of session " + session, e);
    }
  }

  /** The session's last ordinal and compaction point; zeros when it has no log. */
  private static long[] head(Connection connection, SessionId session) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT last_ordinal, compacted_through FROM sw_event_heads WHERE session_id = ?")) {
      select.setString(1, session.value());
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? new long[] {rows.getLong(1), rows.getLong(2)} : new long[] {0, 0};
      }
    }
  }

  /**
   * Decodes a row read by its session key, and checks that the event is that session's: a row whose
   * event names another session (written by hand, or by a tool that copied rows) is refused, never
   * returned as this session's event.
   */
  private InferenceEvent decode(SessionId session, long ordinal, String body) {
    InferenceEvent event;
    try {
      event = CODEC.decode(body);
    } catch (RuntimeException e) {
      throw new TurnStoreException(session, "event " + ordinal + " of the log of session " + session + " in " + name
          + " is not a readable event: " + e.getMessage(), e);
    }
    // meta's session, or a canonical event's correlation's: geppetto's tool events carry an empty meta
    SessionId named = event.sessionId();
    if (!session.equals(named)) {
      String member = named != null && event.meta().sessionId() == null ? "correlation.session_id" : "meta.session_id";
      throw new TurnStoreException(session, "event " + ordinal + " of the log of session " + session + " in " + name
          + " names " + (named == null ? "no session" : "session " + named) + " in " + member + "; it is not"
          + " returned as this session's event", null);
    }
    return event;
  }

  private TurnStoreException failure(SessionId session, String what, SQLException cause) {
    return new TurnStoreException(session, what + " in " + name + ": " + cause.getMessage(), cause);
  }

  @Override
  public String toString() {
    return "event log of " + name;
  }
}
