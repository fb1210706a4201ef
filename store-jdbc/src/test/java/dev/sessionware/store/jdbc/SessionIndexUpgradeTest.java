package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionware.core.InferenceId;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.event.EventMetadata;
import dev.sessionware.core.event.InferenceEvent;
import dev.sessionware.core.event.json.EventCodec;
import dev.sessionware.store.jdbc.internal.Schema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by schema version 3 opens under version 4: its events read back (without an
 * append time), and the session index picks the session up from its next append on.
 */
class SessionIndexUpgradeTest {
  @TempDir
  Path dir;

  @Test
  void aVersion3StoreIsUpgradedAndItsOldEventsStillRead() throws Exception {
    Path file = dir.resolve("v3.db");
    SessionId session = SessionId.of("old-session");
    EventMetadata meta = EventMetadata.builder().messageId(EventMetadata.newMessageId()).sessionId(session)
        .inferenceId(InferenceId.random()).turnId(TurnId.random()).build();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE sw_schema_version (version INTEGER NOT NULL PRIMARY KEY,"
          + " applied_at_ms BIGINT NOT NULL, description TEXT NOT NULL)");
      List<String> statements = new ArrayList<>(Schema.version1(Dialect.SQLITE));
      statements.addAll(Schema.version2());
      statements.addAll(Schema.version3());
      for (String sql : statements) {
        statement.execute(sql);
      }
      for (int version = 1; version <= 3; version++) {
        statement.execute("INSERT INTO sw_schema_version VALUES (" + version + ", 0, 'v" + version + "')");
      }
      statement.execute("INSERT INTO sw_event_heads VALUES ('old-session', 1, 0)");
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO sw_events (session_id, ordinal, type, body) VALUES ('old-session', 1, 'start', ?)")) {
        insert.setString(1, EventCodec.standard().encode(new InferenceEvent.StartEvent(meta)));
        insert.executeUpdate();
      }
    }

    try (JdbcTurnStore store = JdbcTurnStore.sqlite(file)) {
      JdbcSessionIndex index = store.sessionIndex();
      List<JdbcSessionIndex.TimedEvent> events = index.events(session, 0, 10);
      assertThat(events).singleElement().satisfies(e -> {
        assertThat(e.ordinal()).isEqualTo(1);
        assertThat(e.appendedAt()).isNull();
        assertThat(e.event().type()).isEqualTo("start");
      });
      assertThat(index.inferences(session, Long.MAX_VALUE, 10)).isEmpty();

      store.eventLog().append(session, List.of(new InferenceEvent.ErrorEvent(meta, "failed after the upgrade")));
      assertThat(index.session(session)).hasValueSatisfying(row -> assertThat(row.state()).isEqualTo("failed"));
      assertThat(index.inferences(session, Long.MAX_VALUE, 10)).singleElement().satisfies(i -> {
        assertThat(i.firstOrdinal()).isEqualTo(2);
        assertThat(i.outcome()).isEqualTo("error");
      });
      assertThat(index.events(session, 1, 10)).singleElement().satisfies(e -> assertThat(e.appendedAt()).isNotNull());
    }
  }
}
