package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Turn;
import dev.sessionware.core.turn.Usage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storage grows with the conversation, not with its square, and turns come back equal. */
class StorageGrowthTest {
  @TempDir
  Path dir;

  @Test
  void aHundredTurnConversationStoresEachBlockOnce() throws Exception {
    Path file = dir.resolve("growth.db");
    SessionId session = SessionId.of("long-talk");
    List<Turn> written = new ArrayList<>();
    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) {
      Turn turn = Turn.of(Block.systemText("You are terse."));
      for (int n = 0; n < 100; n++) {
        turn = turn.append(Block.userText("question " + n + " " + "x".repeat(150)),
                Block.assistantText("answer " + n + " " + "y".repeat(150)))
            .withId(TurnId.of("t-" + n))
            .with(MetadataKeys.SESSION_ID, session)
            .with(MetadataKeys.USAGE, new Usage(n, n, 0, 0, 0));
        store.append(session, n, turn);
        written.add(turn);
      }
    }
    try (JdbcTurnStore reopened = JdbcTurnStore.sqlite(file)) {
      assertThat(reopened.history(session)).isEqualTo(written);
      assertThat(reopened.latest(session)).contains(written.get(99));
    }
    try (Connection connection = JdbcTurnStore.sqliteDataSource(file).getConnection();
        Statement statement = connection.createStatement()) {
      assertThat(count(statement, "SELECT COUNT(*) FROM sw_blocks")).isEqualTo(201); // 201 blocks in the last turn
      assertThat(count(statement, "SELECT COUNT(*) FROM sw_turn_blocks")).isEqualTo(201);
      assertThat(count(statement, "SELECT COUNT(*) FROM sw_turns")).isEqualTo(100);
      long bytes = count(statement, "SELECT SUM(LENGTH(body)) FROM sw_blocks");
      long latestTurnJson = dev.sessionware.core.store.TurnJson.encodeTurn(written.get(99)).length();
      assertThat(bytes).isLessThan(latestTurnJson); // every block once: less than the newest turn written whole
    }
  }

  private static long count(Statement statement, String sql) throws Exception {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
