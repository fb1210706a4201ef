package dev.sessionware.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migrate-store} on a database built here with the Go reference's legacy schema. */
class LegacyStoreMigrationCommandTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private int run(String... args) {
    return EventsTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  private List<String> outLines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void migrateStoreUpgradesALegacyDatabaseOnceAndSaysSo() throws Exception {
    Path database = dir.resolve("geppetto.db");
    try (var connection = dev.sessionware.store.jdbc.JdbcTurnStore.sqliteDataSource(database).getConnection();
        var statement = connection.createStatement()) {
      statement.execute("CREATE TABLE turns (conv_id TEXT NOT NULL, run_id TEXT NOT NULL, turn_id TEXT NOT NULL,"
          + " phase TEXT NOT NULL, created_at_ms INTEGER NOT NULL, payload TEXT NOT NULL,"
          + " PRIMARY KEY (conv_id, run_id, turn_id, phase, created_at_ms))");
      statement.execute("CREATE INDEX turns_by_run ON turns(run_id, created_at_ms DESC)");
    }

    assertThat(run("migrate-store", database.toString())).isEqualTo(0);
    assertThat(outLines()).contains(database + ":", "turns: renamed column run_id to session_id",
        "backup before the migration: " + database + ".pre-session-id.bak");
    out.reset();
    assertThat(run("migrate-store", database.toString())).isEqualTo(0);
    assertThat(outLines()).containsExactly(database + ":", "nothing to do: no table has the legacy run_id column");
  }

}
