package dev.sessionware.store.jdbc;

import dev.sessionware.store.jdbc.internal.LegacyTurns;
import dev.sessionware.store.jdbc.internal.TurnRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Upgrades a database of the Go reference from the legacy {@code run_id} column to {@code
 * session_id}: its snapshot table {@code turns} and its agent-mode table {@code agent_mode_changes}.
 *
 * <p>For each table that has the legacy column (found whatever its letter case): the legacy index
 * ({@code turns_by_run}, {@code idx_agent_mode_changes_run_id_at}) is dropped, the column renamed,
 * and the new indexes created ({@code turns_by_conv}, {@code turns_by_session}, {@code
 * turns_by_phase}; {@code idx_agent_mode_changes_session_id_at}) — in this order, so that no index
 * names a column that does not exist yet, which is where the reference's own migration fails. A
 * table with both columns holding the same values keeps one of them, named {@code session_id}; with
 * differing values the migration refuses and changes nothing: a human decides. Everything happens in one transaction,
 * after a consistent backup (SQLite: a copy of the file; PostgreSQL: copies of the tables named
 * {@code <table>_pre_session_id}). Running it again does nothing.
 */
public final class LegacyRunIdMigration {
  private static final String LEGACY = "run_id";

  private LegacyRunIdMigration() {}

  /**
   * What a migration did.
   *
   * @param actions what was done, in order; empty when the database was already migrated
   * @param backup the backup copy made first, if any
   */
  public record Report(List<String> actions, Optional<String> backup) {
    /**
     * Copies the actions.
     *
     * @param actions what was done
     * @param backup the backup copy, if any
     */
    public Report {
      actions = List.copyOf(actions);
      Objects.requireNonNull(backup, "backup");
    }

    /**
     * Returns whether anything changed.
     *
     * @return false when the database was already migrated
     */
    public boolean changed() {
      return !actions.isEmpty();
    }

    /**
     * Returns a readable summary, one action per line.
     *
     * @return the summary
     */
    public String summary() {
      if (actions.isEmpty()) {
        return "nothing to do: no table has the legacy run_id column";
      }
      return String.join("\n", actions) + backup.map(path -> "\nbackup before the migration: " + path).orElse("");
    }
  }

  /** The migration was refused; nothing was changed. */
  public static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }
  }

  /**
   * Migrates a SQLite file of the Go reference, after copying it to {@code <file>.pre-session-id.bak}
   * (a new name is taken if that exists).
   *
   * @param file the database file
   * @return what was done
   * @throws RefusedException if a table has both columns with differing values; nothing changed
   * @throws SQLException if the database fails; the transaction is rolled back
   */
  public static Report migrateSqlite(Path file) throws SQLException {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new SQLException("no SQLite database at " + file);
    }
    try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection()) {
      return migrate(connection, Dialect.SQLITE, file);
    }
  }

  /**
   * Migrates the database behind a data source (SQLite or PostgreSQL); the backup is a copy of each
   * table it changes, in the same transaction.
   *
   * @param dataSource the data source
   * @return what was done
   * @throws RefusedException if a table has both columns with differing values; nothing changed
   * @throws SQLException if the database fails; the transaction is rolled back
   */
  public static Report migrate(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return migrate(connection, Dialect.of(connection), null);
    }
  }

  private static Report migrate(Connection connection, Dialect dialect, Path sqliteFile) throws SQLException {
    List<Table> tables = List.of(
        new Table("turns", "turns_by_run", List.of(
            "CREATE INDEX IF NOT EXISTS turns_by_conv ON turns (conv_id, created_at_ms DESC)",
            "CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session_id, created_at_ms DESC)",
            "CREATE INDEX IF NOT EXISTS turns_by_phase ON turns (phase, created_at_ms DESC)")),
        new Table("agent_mode_changes", "idx_agent_mode_changes_run_id_at", List.of(
            "CREATE INDEX IF NOT EXISTS idx_agent_mode_changes_session_id_at ON agent_mode_changes (session_id, at)")));
    List<Table> pending = new ArrayList<>();
    for (Table table : tables) {
      if (table.legacyColumn(connection).isPresent()) {
        pending.add(table);
      }
    }
    if (pending.isEmpty()) {
      return new Report(List.of(), Optional.empty());
    }
    String backup = null;
    if (sqliteFile != null) {
      Path copy = backupPath(sqliteFile);
      try (Statement statement = connection.createStatement()) {
        statement.execute("VACUUM INTO '" + copy.toAbsolutePath().toString().replace("'", "''") + "'");
      }
      backup = copy.toString();
    }
    List<String> actions = new ArrayList<>();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      for (Table table : pending) {
        String legacy = table.legacyColumn(connection).orElseThrow();
        boolean both = LegacyTurns.columns(connection, table.name).contains("session_id");
        if (both) {
          long differing = count(statement, "SELECT COUNT(*) FROM " + table.name + " WHERE " + quote(legacy)
              + (dialect == Dialect.POSTGRESQL ? " IS DISTINCT FROM " : " IS NOT ") + "session_id");
          if (differing > 0) {
            throw new RefusedException("table " + table.name + " has both " + legacy + " and session_id, and "
                + differing + " rows hold different values in them; the migration changes nothing. Decide which"
                + " column is right (SELECT * FROM " + table.name + " WHERE " + legacy + " IS NOT session_id),"
                + " make them agree or drop " + legacy + ", then run the migration again");
          }
        }
        if (sqliteFile == null) {
          String copy = table.name + "_pre_session_id";
          statement.execute("CREATE TABLE " + copy + " AS SELECT * FROM " + table.name);
          actions.add(table.name + ": copied to " + copy);
        }
        statement.execute("DROP INDEX IF EXISTS " + table.legacyIndex);
        actions.add(table.name + ": dropped index " + table.legacyIndex);
        if (both) {
          // the legacy column may be part of the primary key, which SQLite cannot drop: drop the
          // newer column, which holds the same values, and rename the legacy one in its place
          for (String index : table.indexes) {
            statement.execute("DROP INDEX IF EXISTS " + index.split(" ")[5]);
          }
          statement.execute("ALTER TABLE " + table.name + " DROP COLUMN session_id");
          actions.add(table.name + ": dropped column session_id, which held the same values as " + legacy);
        }
        statement.execute("ALTER TABLE " + table.name + " RENAME COLUMN " + quote(legacy) + " TO session_id");
        actions.add(table.name + ": renamed column " + legacy + " to session_id");
        for (String index : table.indexes) {
          statement.execute(index);
          actions.add(table.name + ": " + index.replace("CREATE INDEX IF NOT EXISTS", "created index"));
        }
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      TurnRows.rollback(connection, e);
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
    return new Report(actions, Optional.ofNullable(backup));
  }

  private record Table(String name, String legacyIndex, List<String> indexes) {
    Optional<String> legacyColumn(Connection connection) throws SQLException {
      try (ResultSet columns = connection.getMetaData().getColumns(null, null, null, null)) {
        while (columns.next()) {
          if (columns.getString("TABLE_NAME").equalsIgnoreCase(name)
              && columns.getString("COLUMN_NAME").equalsIgnoreCase(LEGACY)) {
            return Optional.of(columns.getString("COLUMN_NAME"));
          }
        }
      }
      return Optional.empty();
    }
  }

  private static long count(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static String quote(String column) {
    return "\"" + column.replace("\"", "\"\"") + "\"";
  }

  private static Path backupPath(Path file) {
    Path candidate = file.resolveSibling(file.getFileName() + ".pre-session-id.bak");
    for (int i = 2; Files.exists(candidate); i++) {
      candidate = file.resolveSibling(file.getFileName() + ".pre-session-id." + i + ".bak");
    }
    return candidate;
  }

}
