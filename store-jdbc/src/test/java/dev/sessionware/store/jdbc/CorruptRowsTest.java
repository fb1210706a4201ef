package dev.sessionware.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.pipeline.Engine;
import dev.sessionware.core.session.SessionRuntime;
import dev.sessionware.core.store.Snapshot;
import dev.sessionware.core.store.TurnStoreException;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.Turn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault class: a stored row that is not what the store wrote (invalid JSON in a turn head, a block or
 * a snapshot; an event row that names another session). Reading it fails with the store's exception
 * naming the session, the turn and the column; other sessions still load.
 */
class CorruptRowsTest {
  @TempDir
  java.nio.file.Path dir;

  private HikariDataSource postgres;

  static Stream<String> dialects() {
    return Stream.of("sqlite", "postgres");
  }

  @AfterEach
  void closePool() {
    if (postgres != null) {
      postgres.close();
    }
  }

  private DataSource dataSource(String dialect) {
    if (dialect.equals("sqlite")) {
      return JdbcTurnStore.sqliteDataSource(dir.resolve("turns.db"));
    }
    postgres = TestPostgres.newDatabase();
    return postgres;
  }

  private static void corrupt(DataSource dataSource, String sql, String session) throws SQLException {
    try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(sql)) {
      update.setString(1, session);
      assertThat(update.executeUpdate()).isPositive();
    }
  }

  @ParameterizedTest
  @MethodSource("dialects")
  void aCorruptTurnHeadIsAStoreErrorNamingSessionTurnAndColumn(String dialect) throws Exception {
    DataSource dataSource = dataSource(dialect);
    try (JdbcTurnStore store = JdbcTurnStore.builder(dataSource).build()) {
      SessionId broken = SessionId.of("broken");
      SessionId healthy = SessionId.of("healthy");
      TurnId turnId = TurnId.random();
      store.append(broken, 0, Turn.of(Block.userText("hello")).withId(turnId));
      store.append(healthy, 0, Turn.of(Block.userText("fine")).withId(TurnId.random()));
      corrupt(dataSource, "UPDATE sw_turns SET head = '{\"version\": 1, \"id\": ' WHERE session_id = ?", "broken");

      assertThatThrownBy(() -> store.history(broken)).isInstanceOfSatisfying(TurnStoreException.class,
          e -> assertThat(e.session()).isEqualTo(broken))
          .hasMessageStartingWith("the history of session broken in ")
          .hasMessageContaining("is inconsistent: sw_turns.head of turn " + turnId.value() + " (number 0) is not a turn head: ");
      assertThatThrownBy(() -> store.latest(broken)).isInstanceOf(TurnStoreException.class);
      try (SessionRuntime runtime = SessionRuntime.builder().store(store).build()) {
        Engine echo = (context, turn) -> turn;
        // a session's history is read when first needed: the error surfaces there, naming the row
        assertThatThrownBy(() -> runtime.openSession(echo, broken).history()).isInstanceOf(TurnStoreException.class)
            .hasMessageContaining("sw_turns.head of turn " + turnId.value());
        assertThatThrownBy(() -> runtime.openSession(echo, broken).prompt("hi")).isInstanceOf(TurnStoreException.class)
            .hasMessageContaining("sw_turns.head of turn " + turnId.value());
        assertThat(runtime.openSession(echo, healthy).history()).hasSize(1);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dialects")
  void aCorruptBlockIsAStoreErrorNamingSessionTurnAndColumn(String dialect) throws Exception {
    DataSource dataSource = dataSource(dialect);
    try (JdbcTurnStore store = JdbcTurnStore.builder(dataSource).build()) {
      SessionId broken = SessionId.of("broken");
      TurnId turnId = TurnId.random();
      store.append(broken, 0, Turn.of(Block.userText("hello")).withId(turnId));
      corrupt(dataSource, "UPDATE sw_blocks SET body = 'not json' WHERE session_id = ?", "broken");

      assertThatThrownBy(() -> store.history(broken)).isInstanceOf(TurnStoreException.class)
          .hasMessageContaining("is inconsistent: sw_blocks.body of block ")
          .hasMessageContaining("(position 0 of turn " + turnId.value() + ", number 0) is not a block: ");
    }
  }

  @ParameterizedTest
  @MethodSource("dialects")
  void aCorruptSnapshotIsAStoreErrorNamingSessionTurnAndPhase(String dialect) throws Exception {
    DataSource dataSource = dataSource(dialect);
    try (JdbcTurnStore store = JdbcTurnStore.builder(dataSource).build()) {
      SessionId broken = SessionId.of("broken");
      TurnId turnId = TurnId.random();
      store.saveSnapshot(broken, Snapshot.Phase.FINAL, Turn.of(Block.userText("hello")).withId(turnId));
      corrupt(dataSource, "UPDATE sw_snapshots SET payload = '[' WHERE session_id = ?", "broken");

      var snapshot = store.snapshots(new Snapshot.Query(broken, null, null, 10)).get(0);
      assertThatThrownBy(snapshot::turn).isInstanceOfSatisfying(TurnStoreException.class,
          e -> assertThat(e.session()).isEqualTo(broken))
          .hasMessageStartingWith("the final snapshot of turn " + turnId.value() + " of session broken is corrupt");
    }
  }

  @ParameterizedTest
  @MethodSource("dialects")
  void anEventRowNamingAnotherSessionIsRefusedNotReturnedAsThisSessionsEvent(String dialect) throws Exception {
    DataSource dataSource = dataSource(dialect);
    try (JdbcTurnStore store = JdbcTurnStore.builder(dataSource).build()) {
      SessionId mine = SessionId.of("mine");
      SessionId victim = SessionId.of("victim");
      store.eventLog().append(mine, java.util.List.of(partial(mine, "mine")));
      store.eventLog().append(victim, java.util.List.of(partial(victim, "the victim's secret")));
      // a row copied by hand (or by a tool) from the victim's log into this session's
      corrupt(dataSource, "UPDATE sw_events SET body = (SELECT body FROM sw_events WHERE session_id = 'victim')"
          + " WHERE session_id = ?", "mine");

      assertThatThrownBy(() -> store.eventLog().read(mine, 0, 10)).isInstanceOfSatisfying(TurnStoreException.class,
          e -> assertThat(e.session()).isEqualTo(mine))
          .hasMessageStartingWith("event 1 of the log of session mine in ")
          .hasMessageEndingWith(" names session victim in meta.session_id; it is not returned as this session's event")
          .hasMessageNotContaining("secret");
      assertThat(store.eventLog().read(victim, 0, 10).entries()).hasSize(1);
    }
  }

  /**
   * geppetto's canonical tool events carry an empty meta and name their session in their correlation:
   * such a row is this session's event, and one whose correlation names another session is refused.
   */
  @ParameterizedTest
  @MethodSource("dialects")
  void aCanonicalEventRowIsJudgedByTheSessionItsCorrelationNames(String dialect) throws Exception {
    DataSource dataSource = dataSource(dialect);
    try (JdbcTurnStore store = JdbcTurnStore.builder(dataSource).build()) {
      SessionId mine = SessionId.of("mine");
      dev.sessionware.core.event.json.EventCodec codec = dev.sessionware.core.event.json.EventCodec.standard();
      String fromGo = "{\"type\":\"tool-result-ready\",\"meta\":{\"message_id\":\"00000000-0000-0000-0000-000000000000\"},"
          + "\"correlation\":{\"session_id\":\"mine\",\"run_id\":\"inf-1\",\"tool_call_id\":\"c\"},\"tool_call_id\":\"c\","
          + "\"result\":\"12:00\"}";
      store.eventLog().append(mine, java.util.List.of(codec.decode(fromGo), codec.decode(fromGo)));
      assertThat(store.eventLog().read(mine, 0, 10).entries()).hasSize(2)
          .allSatisfy(entry -> assertThat(codec.encode(entry.event())).isEqualTo(fromGo));

      corrupt(dataSource, "UPDATE sw_events SET body = replace(body, '\"session_id\":\"mine\"', '\"session_id\":\"victim\"')"
          + " WHERE session_id = ? AND ordinal = 2", "mine");
      assertThatThrownBy(() -> store.eventLog().read(mine, 0, 10)).isInstanceOf(TurnStoreException.class)
          .hasMessageStartingWith("event 2 of the log of session mine in ")
          .hasMessageEndingWith(" names session victim in correlation.session_id; it is not returned as this session's"
              + " event");
    }
  }

  private static dev.sessionware.core.event.InferenceEvent partial(SessionId session, String text) {
    return new dev.sessionware.core.event.InferenceEvent.PartialEvent(dev.sessionware.core.event.EventMetadata.builder()
        .messageId(dev.sessionware.core.event.EventMetadata.newMessageId()).sessionId(session)
        .inferenceId(dev.sessionware.core.InferenceId.random()).build(), text, text);
  }
}
