package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.store.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Go reference's legacy schema, built here with rows, migrated from run_id to session_id. */
class LegacyRunIdMigrationTest {
  private static final String YAML = "id: t-1\nblocks:\n  - kind: user\n    payload:\n      text: hi\n";

  @TempDir
  Path dir;

  static void createLegacySchema(Connection connection, String legacyColumn, boolean alsoSessionId) throws Exception {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE turns (conv_id TEXT NOT NULL, " + legacyColumn + " TEXT NOT NULL,"
          + (alsoSessionId ? " session_id TEXT," : "") + " turn_id TEXT NOT NULL, phase TEXT NOT NULL,"
          + " created_at_ms BIGINT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (conv_id, " + legacyColumn
          + ", turn_id, phase, created_at_ms))");
      statement.execute("CREATE INDEX turns_by_run ON turns(" + legacyColumn + ", created_at_ms DESC)");
      boolean sqlite = connection.getMetaData().getDatabaseProductName().toLowerCase().contains("sqlite");
      statement.execute("CREATE TABLE agent_mode_changes (id " + (sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
          : "BIGSERIAL PRIMARY KEY") + ", " + legacyColumn + " TEXT, turn_id TEXT, from_mode TEXT, to_mode TEXT,"
          + " analysis TEXT, at TIMESTAMP)");
      statement.execute("CREATE INDEX idx_agent_mode_changes_run_id_at ON agent_mode_changes(" + legacyColumn + ", at)");
      for (int i = 1; i <= 3; i++) {
        statement.execute("INSERT INTO turns VALUES ('conv-1', 'run-" + (i % 2) + "', "
            + (alsoSessionId ? "'run-" + (i % 2) + "', " : "") + "'t-" + i + "', 'final', " + (1_700_000_000_000L + i)
            + ", '" + YAML + "')");
        statement.execute("INSERT INTO agent_mode_changes (" + legacyColumn + ", turn_id, from_mode, to_mode, analysis,"
            + " at) VALUES ('run-" + (i % 2) + "', 't-" + i + "', 'chat', 'plan', 'because', CURRENT_TIMESTAMP)");
      }
    }
  }

  private static List<String> indexes(Connection connection, String table) throws Exception {
    List<String> names = new ArrayList<>();
    try (ResultSet rows = connection.getMetaData().getIndexInfo(null, null, table, false, false)) {
      while (rows.next()) {
        if (rows.getString("INDEX_NAME") != null) {
          names.add(rows.getString("INDEX_NAME").toLowerCase());
        }
      }
    }
    return names;
  }

  @Test
  void aLegacySqliteDatabaseIsMigratedBackedUpAndReadableAsSnapshots() throws Exception {
    Path file = dir.resolve("geppetto.db");
    try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection()) {
      createLegacySchema(connection, "RUN_ID", false); // any letter case
    }

    LegacyRunIdMigration.Report report = LegacyRunIdMigration.migrateSqlite(file);

    assertThat(report.actions()).containsExactly(
        "turns: dropped index turns_by_run",
        "turns: renamed column RUN_ID to session_id",
        "turns: created index turns_by_conv ON turns (conv_id, created_at_ms DESC)",
        "turns: created index turns_by_session ON turns (session_id, created_at_ms DESC)",
        "turns: created index turns_by_phase ON turns (phase, created_at_ms DESC)",
        "agent_mode_changes: dropped index idx_agent_mode_changes_run_id_at",
        "agent_mode_changes: renamed column RUN_ID to session_id",
        "agent_mode_changes: created index idx_agent_mode_changes_session_id_at ON agent_mode_changes (session_id, at)");
    assertThat(report.backup()).contains(file + ".pre-session-id.bak");
    assertThat(Files.size(Path.of(report.backup().orElseThrow()))).isPositive();
    try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection()) {
      assertThat(indexes(connection, "turns")).contains("turns_by_conv", "turns_by_session", "turns_by_phase")
          .doesNotContain("turns_by_run");
      assertThat(indexes(connection, "agent_mode_changes")).contains("idx_agent_mode_changes_session_id_at")
          .doesNotContain("idx_agent_mode_changes_run_id_at");
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM agent_mode_changes WHERE session_id = 'run-1'")) {
        rows.next();
        assertThat(rows.getInt(1)).isEqualTo(2);
      }
    }

    assertThat(LegacyRunIdMigration.migrateSqlite(file).changed()).isFalse(); // a second run does nothing

    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) {
      List<Snapshot> snapshots = store.snapshots(Snapshot.Query.of(SessionId.of("run-1"), 10));
      assertThat(snapshots).extracting(Snapshot::turnId).containsExactly("t-3", "t-1");
      assertThat(snapshots).allSatisfy(snapshot -> {
        assertThat(snapshot.format()).isEqualTo(Snapshot.YAML);
        assertThat(snapshot.payload()).isEqualTo(YAML);
        assertThat(snapshot.turn()).isEmpty();
      });
    }
  }

  @Test
  void bothColumnsWithDifferingValuesAreRefusedAndNothingChanges() throws Exception {
    Path file = dir.resolve("both.db");
    try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection()) {
      createLegacySchema(connection, "run_id", true);
      try (Statement statement = connection.createStatement()) {
        statement.execute("UPDATE turns SET session_id = 'other' WHERE turn_id = 't-2'");
      }
    }

    assertThatThrownBy(() -> LegacyRunIdMigration.migrateSqlite(file))
        .isInstanceOf(LegacyRunIdMigration.RefusedException.class)
        .hasMessageStartingWith("table turns has both run_id and session_id, and 1 rows hold different values in them;"
            + " the migration changes nothing.");

    try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection()) {
      assertThat(dev.sessionware.store.jdbc.internal.LegacyTurns.columns(connection, "turns")).contains("run_id");
      assertThat(indexes(connection, "turns")).contains("turns_by_run");
    }
  }

  @Test
  void bothColumnsWithTheSameValuesLoseTheLegacyOne() throws Exception {
    Path file = dir.resolve("same.db");
    try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection()) {
      createLegacySchema(connection, "run_id", true);
      try (Statement statement = connection.createStatement()) {
        statement.execute("ALTER TABLE agent_mode_changes ADD COLUMN session_id TEXT");
        statement.execute("UPDATE agent_mode_changes SET session_id = run_id");
      }
    }

    LegacyRunIdMigration.Report report = LegacyRunIdMigration.migrateSqlite(file);

    assertThat(report.actions()).contains("turns: dropped column session_id, which held the same values as run_id",
        "turns: renamed column run_id to session_id",
        "agent_mode_changes: dropped column session_id, which held the same values as run_id");
    try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection()) {
      assertThat(dev.sessionware.store.jdbc.internal.LegacyTurns.columns(connection, "turns"))
          .contains("session_id").doesNotContain("run_id");
    }
  }

  @Test
  void aLegacyPostgresDatabaseIsMigratedWithBackupTablesInTheSameTransaction() throws Exception {
    try (HikariDataSource pool = TestPostgres.newDatabase()) {
      try (Connection connection = pool.getConnection()) {
        createLegacySchema(connection, "run_id", false);
      }

      LegacyRunIdMigration.Report report = LegacyRunIdMigration.migrate(pool);

      assertThat(report.actions()).contains("turns: copied to turns_pre_session_id",
          "turns: renamed column run_id to session_id", "agent_mode_changes: renamed column run_id to session_id");
      assertThat(LegacyRunIdMigration.migrate((DataSource) pool).changed()).isFalse();
      try (JdbcTurnStore store = JdbcTurnStore.postgres(pool)) {
        assertThat(store.snapshots(Snapshot.Query.of(SessionId.of("run-0"), 10))).singleElement()
            .satisfies(snapshot -> assertThat(snapshot.payload()).isEqualTo(YAML));
      }
    }
  }
}
