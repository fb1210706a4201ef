package dev.sessionware.store.jdbc.internal;

import dev.sessionware.store.jdbc.Dialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, created and upgraded by the store itself: each version is a list of
 * statements applied in one transaction and recorded in {@code sw_schema_version}. The same SQL is
 * in {@code docs/store-schema.md}, for a DBA who applies it by hand.
 */
public final class Schema {
  /** The schema version this code reads and writes. */
  public static final int CURRENT = 6;

  /** A row id that is never closed: the newest turn's blocks have it as their {@code valid_to}. */
  public static final long OPEN = Long.MAX_VALUE;

  private Schema() {}

  /**
   * Returns the statements of schema version 1.
   *
   * @param dialect the dialect
   * @return the statements, in order
   */
  public static List<String> version1(Dialect dialect) {
    return List.of(
        "CREATE TABLE sw_sessions (session_id TEXT NOT NULL PRIMARY KEY, turn_count BIGINT NOT NULL,"
            + " last_turn_id TEXT, created_at_ms BIGINT NOT NULL, last_activity_ms BIGINT NOT NULL)",
        "CREATE INDEX sw_sessions_by_activity ON sw_sessions (last_activity_ms DESC, session_id)",
        "CREATE TABLE sw_blocks (session_id TEXT NOT NULL, block_hash TEXT NOT NULL, body TEXT NOT NULL,"
            + " PRIMARY KEY (session_id, block_hash))",
        "CREATE TABLE sw_turns (session_id TEXT NOT NULL, seq BIGINT NOT NULL, turn_id TEXT NOT NULL,"
            + " block_count INTEGER NOT NULL, head TEXT NOT NULL, created_at_ms BIGINT NOT NULL,"
            + " PRIMARY KEY (session_id, seq))",
        "CREATE TABLE sw_turn_blocks (session_id TEXT NOT NULL, position INTEGER NOT NULL, valid_from BIGINT NOT NULL,"
            + " valid_to BIGINT NOT NULL, block_hash TEXT NOT NULL, PRIMARY KEY (session_id, position, valid_from))",
        "CREATE INDEX sw_turn_blocks_by_validity ON sw_turn_blocks (session_id, valid_to, position)",
        "CREATE TABLE sw_snapshots (id " + (dialect == Dialect.POSTGRESQL ? "BIGSERIAL PRIMARY KEY"
            : "INTEGER PRIMARY KEY AUTOINCREMENT") + ", session_id TEXT NOT NULL,"
            + " turn_id TEXT NOT NULL, phase TEXT NOT NULL, created_at_ms BIGINT NOT NULL, format TEXT NOT NULL,"
            + " payload TEXT NOT NULL)",
        "CREATE INDEX sw_snapshots_by_session ON sw_snapshots (session_id, created_at_ms DESC)",
        "CREATE INDEX sw_snapshots_by_phase ON sw_snapshots (phase, created_at_ms DESC)",
        "CREATE TABLE sw_leases (session_id TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL,"
            + " expires_at_ms BIGINT NOT NULL)");
  }

  /**
   * Returns the statements of schema version 2: the per-session event log ({@code sw_event_heads}
   * holds each session's last ordinal and compaction point, {@code sw_events} the events after it).
   *
   * @return the statements, in order
   */
  public static List<String> version2() {
    return List.of(
        "CREATE TABLE sw_event_heads (session_id TEXT NOT NULL PRIMARY KEY, last_ordinal BIGINT NOT NULL,"
            + " compacted_through BIGINT NOT NULL)",
        "CREATE TABLE sw_events (session_id TEXT NOT NULL, ordinal BIGINT NOT NULL, type TEXT NOT NULL,"
            + " body TEXT NOT NULL, PRIMARY KEY (session_id, ordinal))");
  }

  /**
   * Returns the statements of schema version 3: the shared prompt queue ({@code sw_prompt_heads}
   * numbers each session's prompts, {@code sw_prompts} holds the waiting, running and remembered
   * ones).
   *
   * @return the statements, in order
   */
  public static List<String> version3() {
    return List.of(
        "CREATE TABLE sw_prompt_heads (session_id TEXT NOT NULL PRIMARY KEY, last_seq BIGINT NOT NULL)",
        "CREATE TABLE sw_prompts (session_id TEXT NOT NULL, seq BIGINT NOT NULL, idempotency_key TEXT,"
            + " digest TEXT NOT NULL, body TEXT, state TEXT NOT NULL, owner TEXT, inference_id TEXT, turn_id TEXT,"
            + " detail TEXT, queued_at_ms BIGINT NOT NULL, cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,"
            + " PRIMARY KEY (session_id, seq))",
        "CREATE UNIQUE INDEX sw_prompts_by_key ON sw_prompts (session_id, idempotency_key)",
        "CREATE INDEX sw_prompts_unfinished ON sw_prompts (session_id, seq) WHERE state IN ('queued', 'running')");
  }

  /**
   * Returns the statements of schema version 4: who each session belongs to ({@code
   * owner_principal}, {@code 'host'} for the sessions made before and without a principal), and the
   * index that lists a principal's sessions by activity.
   *
   * @return the statements, in order
   */
  public static List<String> version4() {
    return List.of(
        "ALTER TABLE sw_sessions ADD COLUMN owner_principal TEXT NOT NULL DEFAULT 'host'",
        "CREATE INDEX sw_sessions_by_owner ON sw_sessions (owner_principal, last_activity_ms DESC, session_id)");
  }

  /**
   * Returns the statements of schema version 5: the turns that wait for a person's approval of
   * their tool calls ({@code sw_approvals}, one row per waiting session, its calls and their
   * decisions as JSON, and a version every decision raises).
   *
   * @return the statements, in order
   */
  public static List<String> version5() {
    return List.of(
        "CREATE TABLE sw_approvals (session_id TEXT NOT NULL PRIMARY KEY, turn_id TEXT NOT NULL,"
            + " turn_body TEXT NOT NULL, calls TEXT NOT NULL, version BIGINT NOT NULL, asked_at_ms BIGINT NOT NULL)");
  }

  /**
   * Returns the statements of schema version 6: the session index an inspector reads without
   * scanning events ({@code sw_inferences} holds each inference's span, outcome, model and usage,
   * {@code sw_session_activity} each session's state and tokens so far, both kept by the event log's
   * appends), and the time each event was appended.
   *
   * @return the statements, in order
   */
  public static List<String> version6() {
    return List.of(
        "ALTER TABLE sw_events ADD COLUMN appended_at_ms BIGINT",
        "CREATE TABLE sw_inferences (session_id TEXT NOT NULL, inference_id TEXT NOT NULL, turn_id TEXT,"
            + " first_ordinal BIGINT NOT NULL, last_ordinal BIGINT NOT NULL, event_count BIGINT NOT NULL,"
            + " started_at_ms BIGINT NOT NULL, first_chunk_at_ms BIGINT, ended_at_ms BIGINT, outcome TEXT NOT NULL,"
            + " model TEXT, input_tokens BIGINT, output_tokens BIGINT, error TEXT,"
            + " PRIMARY KEY (session_id, inference_id))",
        "CREATE INDEX sw_inferences_by_ordinal ON sw_inferences (session_id, first_ordinal)",
        "CREATE TABLE sw_session_activity (session_id TEXT NOT NULL PRIMARY KEY, state TEXT NOT NULL,"
            + " last_inference_id TEXT, inferences BIGINT NOT NULL, input_tokens BIGINT NOT NULL,"
            + " output_tokens BIGINT NOT NULL, first_event_at_ms BIGINT NOT NULL, last_event_at_ms BIGINT NOT NULL,"
            + " without_turns BOOLEAN NOT NULL)",
        "CREATE INDEX sw_session_activity_without_turns ON sw_session_activity (last_event_at_ms DESC, session_id)"
            + " WHERE without_turns");
  }

  private static List<String> statements(int version, Dialect dialect) {
    return switch (version) {
      case 1 -> version1(dialect);
      case 2 -> version2();
      case 3 -> version3();
      case 4 -> version4();
      case 5 -> version5();
      case 6 -> version6();
      default -> throw new IllegalArgumentException("no schema version " + version);
    };
  }

  private static String description(int version) {
    return switch (version) {
      case 1 -> "turns, blocks, snapshots, leases";
      case 2 -> "event log";
      case 3 -> "prompt queue";
      case 4 -> "session owners";
      case 5 -> "tool calls waiting for approval";
      default -> "session index";
    };
  }

  /**
   * Brings the schema up to {@link #CURRENT}, one version per transaction; instances starting at
   * once wait for each other (a lock on the version table) and apply each version once.
   *
   * @param connection a connection in auto-commit mode
   * @param dialect the dialect
   * @return the versions applied now (empty when the schema was current)
   * @throws SQLException if a statement fails; the failing version is rolled back
   * @throws IllegalStateException if the database has a newer schema than this code knows
   */
  public static List<Integer> migrate(Connection connection, Dialect dialect) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS sw_schema_version (version INTEGER NOT NULL PRIMARY KEY,"
          + " applied_at_ms BIGINT NOT NULL, description TEXT NOT NULL)");
    }
    List<Integer> applied = new java.util.ArrayList<>();
    for (int version = 1; version <= CURRENT; version++) {
      if (apply(connection, dialect, version)) {
        applied.add(version);
      }
    }
    return applied;
  }

  private static boolean apply(Connection connection, Dialect dialect, int version) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      if (dialect == Dialect.POSTGRESQL) {
        statement.execute("LOCK TABLE sw_schema_version IN EXCLUSIVE MODE");
      }
      int current = currentVersion(statement);
      if (current > CURRENT) {
        throw new IllegalStateException("the database has turn store schema version " + current
            + ", newer than the " + CURRENT + " this version of sessionware-store-jdbc knows; upgrade the library");
      }
      if (current >= version) {
        connection.rollback();
        return false;
      }
      for (String sql : statements(version, dialect)) {
        statement.execute(sql);
      }
      statement.execute("INSERT INTO sw_schema_version (version, applied_at_ms, description) VALUES (" + version
          + ", " + System.currentTimeMillis() + ", '" + description(version) + "')");
      connection.commit();
      return true;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static int currentVersion(Statement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM sw_schema_version")) {
      return rows.next() ? rows.getInt(1) : 0;
    }
  }
}
