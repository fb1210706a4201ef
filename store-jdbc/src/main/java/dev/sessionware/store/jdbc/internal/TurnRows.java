package dev.sessionware.store.jdbc.internal;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.TurnJson;
import dev.sessionware.core.store.TurnStoreConflictException;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.store.jdbc.Dialect;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How turns become rows and back, so that storage grows with the conversation, not its square.
 *
 * <p>Each turn of a history holds the whole conversation so far. A block is stored once per
 * session, under the SHA-256 of its JSON ({@code sw_blocks}); a turn's row ({@code sw_turns})
 * holds its id, metadata and block count; and {@code sw_turn_blocks} says which block stands at
 * which position from which turn ({@code valid_from}) until which turn ({@code valid_to}, {@link
 * Schema#OPEN} while it still stands). Appending a turn that keeps the previous turn's first k
 * blocks closes the rows from position k on and adds rows for its own blocks from k: a turn that
 * adds two blocks costs two rows. The newest turn's blocks are the open rows, found by index
 * whatever the size of the table.
 */
public final class TurnRows {
  private static final int TAILS_KEPT = 10_000;

  private final Dialect dialect;
  private final String storeName;
  /** The newest turn's blocks per session, as this instance last wrote or read them. */
  private final Map<SessionId, Tail> tails = new ConcurrentHashMap<>();

  private record Tail(long length, String lastTurnId, List<Block> blocks, String[] hashes) {}

  /**
   * Makes the row mapping.
   *
   * @param dialect the database's dialect
   * @param storeName the store, for messages
   */
  public TurnRows(Dialect dialect, String storeName) {
    this.dialect = dialect;
    this.storeName = storeName;
  }

  /**
   * Appends a turn if the history has {@code expectedLength} turns; one transaction.
   *
   * @param connection a connection in auto-commit mode
   * @param session the session
   * @param expectedLength the length the caller expects
   * @param turn the turn
   * @throws SQLException if the database fails; nothing was written
   * @throws TurnStoreConflictException if the history has another length
   */
  public void append(Connection connection, SessionId session, long expectedLength, Turn turn) throws SQLException {
    List<Block> blocks = turn.blocks();
    String[] hashes = new String[blocks.size()];
    connection.setAutoCommit(false);
    try {
      long now = System.currentTimeMillis();
      String id = session.value();
      long actual;
      String lastTurnId = null;
      try (PreparedStatement select = connection.prepareStatement("SELECT turn_count, last_turn_id FROM sw_sessions"
          + " WHERE session_id = ?" + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : ""))) {
        select.setString(1, id);
        try (ResultSet row = select.executeQuery()) {
          actual = row.next() ? row.getLong(1) : -1;
          if (actual >= 0) {
            lastTurnId = row.getString(2);
          }
        }
      }
      if (Math.max(actual, 0) != expectedLength) {
        throw new TurnStoreConflictException(session, storeName, expectedLength, Math.max(actual, 0));
      }
      if (actual < 0) {
        insertSession(connection, session, now);
      }
      Tail previous = previousTail(connection, session, expectedLength, lastTurnId);
      int shared = sharedPrefix(previous, blocks, hashes);
      for (int i = shared; i < blocks.size(); i++) {
        if (hashes[i] == null) {
          hashes[i] = hash(TurnJson.encodeBlock(blocks.get(i)));
        }
      }
      long seq = expectedLength;
      if (previous.hashes().length > shared) {
        try (PreparedStatement close = connection.prepareStatement("UPDATE sw_turn_blocks SET valid_to = ?"
            + " WHERE session_id = ? AND valid_to = ? AND position >= ?")) {
          close.setLong(1, seq);
          close.setString(2, id);
          close.setLong(3, Schema.OPEN);
          close.setInt(4, shared);
          close.executeUpdate();
        }
      }
      if (shared < blocks.size()) {
        try (PreparedStatement insertBlock = connection.prepareStatement("INSERT INTO sw_blocks (session_id,"
            + " block_hash, body) VALUES (?, ?, ?) ON CONFLICT (session_id, block_hash) DO NOTHING");
            PreparedStatement insertRow = connection.prepareStatement("INSERT INTO sw_turn_blocks (session_id,"
                + " position, valid_from, valid_to, block_hash) VALUES (?, ?, ?, ?, ?)")) {
          for (int i = shared; i < blocks.size(); i++) {
            insertBlock.setString(1, id);
            insertBlock.setString(2, hashes[i]);
            insertBlock.setString(3, TurnJson.encodeBlock(blocks.get(i)));
            insertBlock.addBatch();
            insertRow.setString(1, id);
            insertRow.setInt(2, i);
            insertRow.setLong(3, seq);
            insertRow.setLong(4, Schema.OPEN);
            insertRow.setString(5, hashes[i]);
            insertRow.addBatch();
          }
          insertBlock.executeBatch();
          insertRow.executeBatch();
        }
      }
      try (PreparedStatement insertTurn = connection.prepareStatement("INSERT INTO sw_turns (session_id, seq, turn_id,"
          + " block_count, head, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
        insertTurn.setString(1, id);
        insertTurn.setLong(2, seq);
        insertTurn.setString(3, turn.id().value());
        insertTurn.setInt(4, blocks.size());
        insertTurn.setString(5, TurnJson.encodeHead(turn));
        insertTurn.setLong(6, now);
        insertTurn.executeUpdate();
      }
      try (PreparedStatement update = connection.prepareStatement("UPDATE sw_sessions SET turn_count = ?,"
          + " last_turn_id = ?, last_activity_ms = ? WHERE session_id = ?")) {
        update.setLong(1, seq + 1);
        update.setString(2, turn.id().value());
        update.setLong(3, now);
        update.setString(4, id);
        update.executeUpdate();
      }
      ApprovalRows.end(connection, session); // the turn that continues a wait ends it
      connection.commit();
      remember(session, new Tail(seq + 1, turn.id().value(), blocks, hashes));
    } catch (SQLException | RuntimeException e) {
      tails.remove(session);
      rollback(connection, e);
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private void insertSession(Connection connection, SessionId session, long now) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO sw_sessions (session_id, turn_count,"
        + " last_turn_id, created_at_ms, last_activity_ms) VALUES (?, 0, NULL, ?, ?)")) {
      insert.setString(1, session.value());
      insert.setLong(2, now);
      insert.setLong(3, now);
      insert.executeUpdate();
    } catch (SQLException e) {
      if (isUniqueViolation(e)) { // another instance created it first
        throw new TurnStoreConflictException(session, storeName, 0, 1);
      }
      throw e;
    }
  }

  /** How many leading blocks the new turn keeps from the previous one; fills their hashes. */
  private static int sharedPrefix(Tail previous, List<Block> blocks, String[] hashes) {
    int limit = Math.min(previous.hashes().length, blocks.size());
    for (int i = 0; i < limit; i++) {
      Block block = blocks.get(i);
      if (previous.blocks() != null && (previous.blocks().get(i) == block || previous.blocks().get(i).equals(block))) {
        hashes[i] = previous.hashes()[i];
        continue;
      }
      hashes[i] = hash(TurnJson.encodeBlock(block));
      if (!hashes[i].equals(previous.hashes()[i])) {
        return i;
      }
    }
    return limit;
  }

  private Tail previousTail(Connection connection, SessionId session, long length, String lastTurnId)
      throws SQLException {
    Tail cached = tails.get(session);
    if (cached != null && cached.length() == length && java.util.Objects.equals(cached.lastTurnId(), lastTurnId)) {
      return cached;
    }
    List<String> hashes = new ArrayList<>();
    if (length > 0) {
      try (PreparedStatement open = connection.prepareStatement("SELECT position, block_hash FROM sw_turn_blocks"
          + " WHERE session_id = ? AND valid_to = ? ORDER BY position")) {
        open.setString(1, session.value());
        open.setLong(2, Schema.OPEN);
        try (ResultSet rows = open.executeQuery()) {
          while (rows.next()) {
            hashes.add(rows.getString(2));
          }
        }
      }
    }
    return new Tail(length, lastTurnId, null, hashes.toArray(String[]::new));
  }

  private void remember(SessionId session, Tail tail) {
    if (tails.size() >= TAILS_KEPT) {
      tails.clear(); // a cache: rebuilding a tail costs one indexed query
    }
    tails.put(session, tail);
  }

  /** Forgets what this instance knows of a session (after it was deleted). */
  public void forget(SessionId session) {
    tails.remove(session);
  }

  /**
   * Rebuilds the turns {@code from} to {@code to} (0-based, inclusive) of a session.
   *
   * @param connection a connection
   * @param session the session
   * @param from the first turn
   * @param to the last turn
   * @return the turns, oldest first
   * @throws SQLException if the database fails
   */
  public List<Turn> read(Connection connection, SessionId session, long from, long to) throws SQLException {
    if (to < from) {
      return List.of();
    }
    String id = session.value();
    List<String> heads = new ArrayList<>();
    List<String> turnIds = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT seq, head, block_count, turn_id FROM sw_turns"
        + " WHERE session_id = ? AND seq >= ? AND seq <= ? ORDER BY seq")) {
      select.setString(1, id);
      select.setLong(2, from);
      select.setLong(3, to);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          heads.add(rows.getString(2));
          counts.add(rows.getInt(3));
          turnIds.add(rows.getString(4));
        }
      }
    }
    if (heads.size() != to - from + 1) {
      throw corrupt(session, "turns " + from + " to " + to + " have " + heads.size() + " rows");
    }
    List<long[]> spans = new ArrayList<>(); // position, valid_from, valid_to
    List<String> hashes = new ArrayList<>();
    Map<String, Block> decoded = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT tb.position, tb.valid_from, tb.valid_to,"
        + " tb.block_hash, b.body FROM sw_turn_blocks tb JOIN sw_blocks b ON b.session_id = tb.session_id"
        + " AND b.block_hash = tb.block_hash WHERE tb.session_id = ? AND tb.valid_to > ? AND tb.valid_from <= ?")) {
      select.setString(1, id);
      select.setLong(2, from);
      select.setLong(3, to);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          spans.add(new long[] {rows.getInt(1), rows.getLong(2), rows.getLong(3)});
          String hash = rows.getString(4);
          hashes.add(hash);
          if (!decoded.containsKey(hash)) {
            try {
              decoded.put(hash, TurnJson.decodeBlock(rows.getString(5)));
            } catch (IllegalArgumentException e) {
              long seq = Math.max(from, rows.getLong(2));
              throw corrupt(session, "sw_blocks.body of block " + hash + " (position " + rows.getInt(1) + " of turn "
                  + turnIds.get((int) (seq - from)) + ", number " + seq + ") is not a block: " + e.getMessage(), e);
            }
          }
        }
      }
    }
    Block[][] blocks = new Block[heads.size()][];
    for (int t = 0; t < heads.size(); t++) {
      blocks[t] = new Block[counts.get(t)];
    }
    // each span fills its position in the turns it stands in: work in proportion to the output
    for (int r = 0; r < spans.size(); r++) {
      long[] span = spans.get(r);
      int position = (int) span[0];
      Block block = decoded.get(hashes.get(r));
      for (long seq = Math.max(from, span[1]); seq < span[2] && seq <= to; seq++) {
        Block[] turn = blocks[(int) (seq - from)];
        if (position >= turn.length) {
          throw corrupt(session, "turn " + seq + " has a block at position " + position + " of " + turn.length);
        }
        turn[position] = block;
      }
    }
    List<Turn> turns = new ArrayList<>(heads.size());
    for (int t = 0; t < heads.size(); t++) {
      for (int p = 0; p < blocks[t].length; p++) {
        if (blocks[t][p] == null) {
          throw corrupt(session, "turn " + (from + t) + " has no block at position " + p);
        }
      }
      try {
        turns.add(TurnJson.decodeHead(heads.get(t), Arrays.asList(blocks[t])));
      } catch (IllegalArgumentException e) {
        throw corrupt(session, "sw_turns.head of turn " + turnIds.get(t) + " (number " + (from + t)
            + ") is not a turn head: " + e.getMessage(), e);
      }
    }
    return turns;
  }

  private TurnStoreException corrupt(SessionId session, String what) {
    return corrupt(session, what, null);
  }

  private TurnStoreException corrupt(SessionId session, String what, Throwable cause) {
    return new TurnStoreException(session, "the history of session " + session + " in " + storeName
        + " is inconsistent: " + what, cause);
  }

  /**
   * Returns whether an exception is a unique-key violation, in either dialect.
   *
   * @param e the exception
   * @return true for a duplicate key
   */
  public static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    return "23505".equals(state) || e.getErrorCode() == 19 || e.getErrorCode() == 1555 || e.getErrorCode() == 2067;
  }

  /**
   * Rolls back, keeping a failure to do so with the original exception.
   *
   * @param connection the connection
   * @param cause why
   */
  public static void rollback(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  static String hash(String json) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(json.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
