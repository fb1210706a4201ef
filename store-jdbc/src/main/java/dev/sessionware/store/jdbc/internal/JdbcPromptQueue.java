package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.store.EventLog;
import dev.sessionware.core.store.PromptQueue;
import dev.sessionware.core.store.TurnStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The JDBC store's prompt queue: rows of {@code sw_prompts}, numbered per session by its row in
 * {@code sw_prompt_heads}. Every change that depends on the session's other prompts (an offer
 * counts and checks keys, a claim checks that none runs) first writes the head row, whose lock
 * (PostgreSQL) or the database's write lock (SQLite) puts the instances' changes to one session in
 * one order; the rest are conditional updates on the prompt's state, so a late call of an owner
 * that was abandoned changes nothing.
 */
public final class JdbcPromptQueue implements PromptQueue {
  private static final String COLUMNS = "seq, idempotency_key, digest, body, state, owner, inference_id, turn_id,"
      + " detail, queued_at_ms, cancel_requested";
  private static final String UNFINISHED = "state IN ('queued', 'running')";
  private static final String FINISHED = "state IN ('completed', 'failed', 'cancelled')";

  private final Connections connections;
  private final String name;
  private final StoreNotifications notifications;

  /**
   * Makes the queue of a store.
   *
   * @param connections the store's connections
   * @param name the store's name, for messages
   * @param notifications whom the store tells of cancel requests
   */
  public JdbcPromptQueue(Connections connections, String name, StoreNotifications notifications) {
    this.connections = connections;
    this.name = name;
    this.notifications = notifications;
  }

  /** A session's unfinished prompts: the running one (or null) and the waiting ones, oldest first. */
  private record Pending(Prompt running, List<Prompt> waiting) {}

  @Override
  public Offer offer(SessionId session, String key, String digest, String text, int limit) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(text, "text");
    return write(session, "could not queue a prompt", connection -> {
      lockHead(connection, session);
      Pending pending = pending(connection, session);
      if (key != null) {
        Optional<Prompt> earlier = byKey(connection, session, key);
        if (earlier.isPresent()) {
          Outcome outcome = earlier.get().digest().equals(digest) ? Outcome.REPLAYED : Outcome.KEY_REUSED;
          return new Offer(outcome, earlier.get(), pending.waiting().size());
        }
      }
      boolean wouldWait = pending.running() != null || !pending.waiting().isEmpty();
      if (wouldWait && pending.waiting().size() >= limit) {
        return new Offer(Outcome.FULL, null, pending.waiting().size());
      }
      long seq;
      try (PreparedStatement raise = connection.prepareStatement(
          "UPDATE sw_prompt_heads SET last_seq = last_seq + 1 WHERE session_id = ?")) {
        raise.setString(1, session.value());
        raise.executeUpdate();
      }
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT last_seq FROM sw_prompt_heads WHERE session_id = ?")) {
        select.setString(1, session.value());
        try (ResultSet rows = select.executeQuery()) {
          rows.next();
          seq = rows.getLong(1);
        }
      }
      Prompt prompt = new Prompt(session, seq, key, digest, text, State.QUEUED, null, null, null, null,
          Instant.ofEpochMilli(System.currentTimeMillis()), false);
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sw_prompts (session_id, " + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, 'queued', NULL, NULL, NULL, NULL, ?, FALSE)")) {
        insert.setString(1, session.value());
        insert.setLong(2, seq);
        insert.setString(3, key);
        insert.setString(4, digest);
        insert.setString(5, text);
        insert.setLong(6, prompt.queuedAt().toEpochMilli());
        insert.executeUpdate();
      }
      return new Offer(Outcome.QUEUED, prompt, pending.waiting().size() + 1);
    });
  }

  @Override
  public Optional<Prompt> claim(SessionId session, String owner) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(owner, "owner");
    return write(session, "could not claim a prompt", connection -> {
      lockHead(connection, session);
      Pending pending = pending(connection, session);
      if (pending.running() != null || pending.waiting().isEmpty()) {
        return Optional.<Prompt>empty();
      }
      Prompt next = pending.waiting().get(0);
      if (update(connection, "state = 'running', owner = ?", session, next.seq(), "queued", null, owner) != 1) {
        throw new SQLException("prompt " + next.seq() + " of session " + session + " changed under the head row's lock");
      }
      return Optional.of(new Prompt(session, next.seq(), next.key(), next.digest(), next.text(), State.RUNNING, owner,
          null, null, null, next.queuedAt(), false));
    });
  }

  @Override
  public boolean started(SessionId session, long seq, String owner, InferenceId inferenceId, TurnId turnId) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(inferenceId, "inferenceId");
    Objects.requireNonNull(turnId, "turnId");
    return write(session, "could not record the inference of a prompt", connection -> update(connection,
        "inference_id = ?, turn_id = ?", session, seq, "running", owner, inferenceId.value(), turnId.value()) == 1);
  }

  @Override
  public boolean unclaim(SessionId session, long seq, String owner) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(owner, "owner");
    return write(session, "could not put a prompt back", connection -> update(connection,
        "state = 'queued', owner = NULL, inference_id = NULL, turn_id = NULL, cancel_requested = FALSE", session, seq,
        "running", owner) == 1);
  }

  @Override
  public boolean finish(SessionId session, long seq, String owner, State state, String detail) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(owner, "owner");
    if (!Objects.requireNonNull(state, "state").isFinished()) {
      throw new IllegalArgumentException("state: a prompt finishes completed, failed or cancelled, not " + state);
    }
    return write(session, "could not record how a prompt ended", connection -> {
      boolean finished = update(connection, "state = ?, detail = ?, body = NULL, cancel_requested = FALSE", session,
          seq, "running", owner, wireName(state), detail) == 1;
      if (finished) {
        forgetOldest(connection, session);
      }
      return finished;
    });
  }

  @Override
  public Optional<Prompt> abandon(SessionId session, String reason) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(reason, "reason");
    return write(session, "could not abandon a prompt", connection -> {
      lockHead(connection, session);
      Prompt running = pending(connection, session).running();
      if (running == null || update(connection, "state = 'failed', detail = ?, body = NULL, cancel_requested = FALSE",
          session, running.seq(), "running", running.owner(), reason) != 1) {
        return Optional.<Prompt>empty(); // none runs, or its owner finished it meanwhile
      }
      forgetOldest(connection, session);
      return Optional.of(running);
    });
  }

  @Override
  public boolean requestCancel(SessionId session, long seq) {
    Objects.requireNonNull(session, "session");
    boolean requested = write(session, "could not ask for a prompt to be cancelled", connection -> {
      boolean running = update(connection, "cancel_requested = TRUE", session, seq, "running", null) == 1;
      if (running) { // the owner hears it at commit, whichever instance it is
        notifications.notifyAtCommit(connection, StoreNotifications.PROMPTS, session, seq);
      }
      return running;
    });
    if (requested) {
      notifications.committed(StoreNotifications.PROMPTS, session, seq);
    }
    return requested;
  }

  @Override
  public EventLog.Subscription listen(Listener listener) {
    return notifications.listenToPrompts(listener);
  }

  @Override
  public Optional<Prompt> find(SessionId session, String key) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(key, "key");
    return read(session, connection -> byKey(connection, session, key));
  }

  @Override
  public List<Prompt> unfinished(SessionId session) {
    Objects.requireNonNull(session, "session");
    Pending pending = read(session, connection -> pending(connection, session));
    List<Prompt> unfinished = new ArrayList<>(pending.waiting().size() + 1);
    if (pending.running() != null) {
      unfinished.add(pending.running());
    }
    unfinished.addAll(pending.waiting());
    return List.copyOf(unfinished);
  }

  @Override
  public int delete(SessionId session) {
    Objects.requireNonNull(session, "session");
    return read(session, "could not delete the prompts", connection -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM sw_prompts WHERE session_id = ?")) {
        delete.setString(1, session.value());
        return delete.executeUpdate(); // the head row stays: numbers are never given out twice
      }
    });
  }

  @Override
  public List<SessionId> active(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit: must be > 0, but was " + limit);
    }
    return read(null, connection -> {
      List<SessionId> sessions = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT DISTINCT session_id FROM sw_prompts WHERE " + UNFINISHED + " LIMIT ?")) {
        select.setInt(1, limit);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            sessions.add(SessionId.of(rows.getString(1)));
          }
        }
      }
      return sessions;
    });
  }

  /** Makes the session's head row if missing and writes it: its lock orders this transaction. */
  private static void lockHead(Connection connection, SessionId session) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sw_prompt_heads (session_id, last_seq)"
        + " VALUES (?, 0) ON CONFLICT (session_id) DO NOTHING")) {
      insert.setString(1, session.value());
      insert.executeUpdate();
    }
    try (PreparedStatement lock = connection.prepareStatement(
        "UPDATE sw_prompt_heads SET last_seq = last_seq WHERE session_id = ?")) {
      lock.setString(1, session.value());
      lock.executeUpdate();
    }
  }

  private static Pending pending(Connection connection, SessionId session) throws SQLException {
    Prompt running = null;
    List<Prompt> waiting = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM sw_prompts"
        + " WHERE session_id = ? AND " + UNFINISHED + " ORDER BY seq")) {
      select.setString(1, session.value());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Prompt prompt = prompt(session, rows);
          if (prompt.state() == State.RUNNING) {
            running = prompt;
          } else {
            waiting.add(prompt);
          }
        }
      }
    }
    return new Pending(running, waiting);
  }

  private static Optional<Prompt> byKey(Connection connection, SessionId session, String key) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM sw_prompts"
        + " WHERE session_id = ? AND idempotency_key = ?")) {
      select.setString(1, session.value());
      select.setString(2, key);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(prompt(session, rows)) : Optional.empty();
      }
    }
  }

  /**
   * Sets columns of one prompt if it is still in state {@code from} (and, when {@code owner} is
   * given, still that owner's); returns the rows changed, which every caller checks.
   */
  private static int update(Connection connection, String set, SessionId session, long seq, String from, String owner,
      String... values) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE sw_prompts SET " + set
        + " WHERE session_id = ? AND seq = ? AND state = ?" + (owner == null ? "" : " AND owner = ?"))) {
      int index = 1;
      for (String value : values) {
        update.setString(index++, value);
      }
      update.setString(index++, session.value());
      update.setLong(index++, seq);
      update.setString(index++, from);
      if (owner != null) {
        update.setString(index, owner);
      }
      return update.executeUpdate();
    }
  }

  /** Deletes the session's finished prompts older than the newest {@link #REMEMBERED}. */
  private static void forgetOldest(Connection connection, SessionId session) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM sw_prompts WHERE session_id = ? AND "
        + FINISHED + " AND seq <= (SELECT seq FROM sw_prompts WHERE session_id = ? AND " + FINISHED
        + " ORDER BY seq DESC LIMIT 1 OFFSET " + REMEMBERED + ")")) {
      delete.setString(1, session.value());
      delete.setString(2, session.value());
      delete.executeUpdate();
    }
  }

  private static Prompt prompt(SessionId session, ResultSet row) throws SQLException {
    return new Prompt(session, row.getLong(1), row.getString(2), row.getString(3), row.getString(4),
        State.valueOf(row.getString(5).toUpperCase(Locale.ROOT)), row.getString(6),
        row.getString(7) == null ? null : InferenceId.of(row.getString(7)),
        row.getString(8) == null ? null : TurnId.of(row.getString(8)), row.getString(9),
        Instant.ofEpochMilli(row.getLong(10)), row.getBoolean(11));
  }

  private static String wireName(State state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  private <T> T write(SessionId session, String what, Connections.Work<T> work) {
    return read(session, what, connection -> Connections.inTransaction(connection, () -> work.on(connection)));
  }

  private <T> T read(SessionId session, Connections.Work<T> work) {
    return read(session, "could not read the prompt queue", work);
  }

  private <T> T read(SessionId session, String what, Connections.Work<T> work) {
    try {
      return connections.with(work);
    } catch (SQLException e) {
      String of = session == null ? "" : " of session " + session;
      throw new TurnStoreException(session, what + of + " in " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "prompt queue of " + name;
  }
}
