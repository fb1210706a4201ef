package dev.sessionware.store.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.ToolCall;
import dev.sessionware.core.store.TurnJson;
import dev.sessionware.core.store.TurnStore.PendingCall;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.store.jdbc.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A session's turn that waits for approval, as one row of {@code sw_approvals}: the turn (turn
 * JSON), its calls and their decisions (a JSON array), and a version that every decision raises.
 * A decision is a checked conditional update on that version, so of two instances deciding at
 * once one writes and the other reads again; appending the session's next turn deletes the row in
 * the append's transaction ({@link #end}).
 */
public final class ApprovalRows {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DECIDE_ATTEMPTS = 20;

  private final Connections connections;
  private final Dialect dialect;
  private final String storeName;

  /**
   * Makes the approval rows of a store.
   *
   * @param connections the store's connections
   * @param dialect the dialect
   * @param storeName the store, for messages
   */
  public ApprovalRows(Connections connections, Dialect dialect, String storeName) {
    this.connections = connections;
    this.dialect = dialect;
    this.storeName = storeName;
  }

  /**
   * Records a wait, if the history has {@code expectedLength} turns and nothing waits; one transaction.
   *
   * @param session the session
   * @param expectedLength the history's length the wait was built on
   * @param turn the waiting turn
   * @param calls its calls, checked
   * @throws SQLException if the database fails; nothing was written
   */
  public void await(SessionId session, long expectedLength, Turn turn, List<PendingCall> calls) throws SQLException {
    String body = TurnJson.encodeTurn(turn);
    String encoded = encode(calls);
    connections.with(connection -> Connections.inTransaction(connection, () -> {
      long actual;
      try (PreparedStatement select = connection.prepareStatement("SELECT turn_count FROM sw_sessions"
          + " WHERE session_id = ?" + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : ""))) {
        select.setString(1, session.value());
        try (ResultSet row = select.executeQuery()) {
          actual = row.next() ? row.getLong(1) : 0;
        }
      }
      if (actual != expectedLength) {
        throw new TurnStoreConflictException(session, storeName, expectedLength, actual);
      }
      Optional<String> waiting = waitingTurnId(connection, session);
      if (waiting.isPresent()) {
        throw PendingCall.awaitsAlready(session, TurnId.of(waiting.get()), storeName);
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sw_approvals (session_id, turn_id,"
          + " turn_body, calls, version, asked_at_ms) VALUES (?, ?, ?, ?, 0, ?)")) {
        insert.setString(1, session.value());
        insert.setString(2, turn.id().value());
        insert.setString(3, body);
        insert.setString(4, encoded);
        insert.setLong(5, calls.get(0).askedAt().toEpochMilli());
        insert.executeUpdate();
      } catch (SQLException e) {
        if (TurnRows.isUniqueViolation(e)) { // another instance recorded one first
          throw PendingCall.awaitsAlready(session, TurnId.of(waitingTurnId(connection, session).orElse("?")),
              storeName);
        }
        throw e;
      }
      return null;
    }));
  }

  private static Optional<String> waitingTurnId(Connection connection, SessionId session) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT turn_id FROM sw_approvals"
        + " WHERE session_id = ?")) {
      select.setString(1, session.value());
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
      }
    }
  }

  /**
   * Returns the waiting turn.
   *
   * @param session the session
   * @return the turn, or empty
   * @throws SQLException if the database fails
   */
  public Optional<Turn> turn(SessionId session) throws SQLException {
    return connections.with(connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT turn_body FROM sw_approvals"
          + " WHERE session_id = ?")) {
        select.setString(1, session.value());
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(TurnJson.decodeTurn(row.getString(1))) : Optional.empty();
        }
      }
    });
  }

  /**
   * Returns the waiting calls.
   *
   * @param session the session
   * @return the calls, or empty
   * @throws SQLException if the database fails
   */
  public List<PendingCall> calls(SessionId session) throws SQLException {
    return connections.with(connection -> read(connection, session).calls());
  }

  private record Read(List<PendingCall> calls, long version) {}

  private Read read(Connection connection, SessionId session) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT calls, version FROM sw_approvals"
        + " WHERE session_id = ?")) {
      select.setString(1, session.value());
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return new Read(List.of(), -1);
        }
        return new Read(decode(session, row.getString(1)), row.getLong(2));
      }
    }
  }

  /**
   * Records a decision if the call has none: read, then a conditional update on the version read
   * (read again when another call's decision came between).
   *
   * @param session the session
   * @param decided the decided call
   * @return true if recorded
   * @throws SQLException if the database fails
   */
  public boolean decide(SessionId session, PendingCall decided) throws SQLException {
    return connections.with(connection -> {
      for (int attempt = 0; attempt < DECIDE_ATTEMPTS; attempt++) {
        Read read = read(connection, session);
        List<PendingCall> calls = new ArrayList<>(read.calls());
        int at = -1;
        for (int i = 0; i < calls.size(); i++) {
          PendingCall call = calls.get(i);
          if (call.call().id().equals(decided.call().id()) && call.turn().equals(decided.turn())) {
            at = i;
          }
        }
        if (at < 0 || calls.get(at).isDecided()) {
          return false;
        }
        calls.set(at, calls.get(at).decide(decided.approved(), decided.reason(), decided.principal(),
            decided.decidedAt()));
        try (PreparedStatement update = connection.prepareStatement("UPDATE sw_approvals SET calls = ?,"
            + " version = ? WHERE session_id = ? AND version = ?")) {
          update.setString(1, encode(calls));
          update.setLong(2, read.version() + 1);
          update.setString(3, session.value());
          update.setLong(4, read.version());
          if (update.executeUpdate() == 1) {
            return true;
          }
        }
      }
      throw new TurnStoreException(session, "could not record the decision on tool call " + decided.call().id()
          + " of session " + session + " in " + storeName + ": other decisions kept coming between; try again", null);
    });
  }

  /**
   * Ends the session's wait, in the transaction of the append of the turn that continues it (or of
   * the session's deletion).
   *
   * @param connection the connection, in that transaction
   * @param session the session
   * @return how many rows went
   * @throws SQLException if the database fails
   */
  public static int end(Connection connection, SessionId session) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM sw_approvals WHERE session_id = ?")) {
      delete.setString(1, session.value());
      return delete.executeUpdate();
    }
  }

  private static String encode(List<PendingCall> calls) {
    ArrayNode array = JSON.createArrayNode();
    for (PendingCall call : calls) {
      ObjectNode node = array.addObject();
      node.put("id", call.call().id());
      node.put("name", call.call().name());
      node.put("input", call.call().input());
      node.put("turn_id", call.turn().value());
      node.put("asked_by", call.askedBy().value());
      node.put("asked_at_ms", call.askedAt().toEpochMilli());
      node.put("expires_at_ms", call.expiresAt().toEpochMilli());
      if (call.isDecided()) {
        node.put("approved", call.approved());
        if (call.reason() != null) {
          node.put("reason", call.reason());
        }
        node.put("principal", call.principal());
        node.put("decided_at_ms", call.decidedAt().toEpochMilli());
      }
    }
    return array.toString();
  }

  private List<PendingCall> decode(SessionId session, String text) {
    try {
      JsonNode array = JSON.readTree(text);
      List<PendingCall> calls = new ArrayList<>(array.size());
      for (JsonNode node : array) {
        JsonNode approved = node.get("approved");
        calls.add(new PendingCall(new ToolCall(node.get("id").textValue(), node.get("name").textValue(),
            node.get("input").textValue()), TurnId.of(node.get("turn_id").textValue()),
            InferenceId.of(node.get("asked_by").textValue()), Instant.ofEpochMilli(node.get("asked_at_ms").longValue()),
            Instant.ofEpochMilli(node.get("expires_at_ms").longValue()),
            approved == null ? null : approved.booleanValue(),
            node.hasNonNull("reason") ? node.get("reason").textValue() : null,
            node.hasNonNull("principal") ? node.get("principal").textValue() : null,
            node.hasNonNull("decided_at_ms") ? Instant.ofEpochMilli(node.get("decided_at_ms").longValue()) : null));
      }
      return List.copyOf(calls);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new TurnStoreException(session, "the calls waiting for approval in session " + session + " in "
          + storeName + " cannot be read: " + e.getMessage(), e);
    }
  }
}
